package dev.jacflux.training.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.training.TrainingException;
import dev.jacflux.training.privacy.RdpAccountant;
import dev.jacflux.training.step.OptimizerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints of a training in {@code <directory>/checkpoints/step-<t>/}, written atomically: the
 * files go into a hidden temporary directory, each forced to disk, and the directory is then renamed
 * to {@code step-<t>} in one step, so a crash at any moment leaves either the complete new
 * checkpoint or none (the previous ones stay). The newest {@value #KEEP} are kept.
 *
 * <p>A checkpoint directory holds {@code model.json} + {@code weights.npz} (a model file with
 * PyTorch {@code state_dict} keys, loadable by {@link ModelFile#load}), {@code optimizer.npz}
 * ({@code velocity.<parameter>}, only with momentum) and {@code state.json}
 * ({@link CheckpointInfo}).
 *
 * <pre>{@code
 * CheckpointStore store = new CheckpointStore(Path.of("run1"));
 * store.write(new Checkpoint(model, optimizerState, info, null));   // run1/checkpoints/step-00000120/
 * Optional<Checkpoint> last = store.latest();
 * }</pre>
 */
public final class CheckpointStore {
    /** Checkpoints kept. */
    public static final int KEEP = 2;
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom NAMES = new SecureRandom();

    private final Path root;

    /** A store in {@code directory/checkpoints}. */
    public CheckpointStore(Path directory) {
        this.root = directory.resolve("checkpoints");
    }

    /** The directory holding the {@code step-<t>} checkpoints. */
    public Path root() {
        return root;
    }

    /** Writes a checkpoint atomically; returns its directory. Older ones beyond {@link #KEEP} are deleted. */
    public Path write(Checkpoint c) {
        long step = c.info().step();
        Path target = root.resolve(String.format("step-%08d", step));
        Path tmp = root.resolve(".step-" + step + "." + Long.toUnsignedString(NAMES.nextLong(), 36) + ".tmp");
        try {
            Files.createDirectories(tmp);
            ModelFile.save(c.model(), tmp.resolve("model.json"), "weights.npz");
            force(tmp.resolve("model.json"));
            force(tmp.resolve("weights.npz"));
            if (!c.optimizer().isEmpty()) {
                AtomicFiles.writeForced(tmp.resolve("optimizer.npz"), Npz.toNpz(velocity(c.model(), c.optimizer())));
            }
            AtomicFiles.writeForced(tmp.resolve("state.json"), (JSON.writeValueAsString(toJson(c.info())) + "\n").getBytes(StandardCharsets.UTF_8));
            AtomicFiles.forceDirectory(tmp);
            if (Files.exists(target)) {
                deleteTree(target);   // a rerun of the same step (e.g. a resumed run that repeats it)
            }
            AtomicFiles.move(tmp, target);
            AtomicFiles.forceDirectory(root);
        } catch (IOException | ModelException e) {
            throw new TrainingException(target + ": cannot write the checkpoint: " + e.getMessage(), e);
        } finally {
            try {
                if (Files.exists(tmp)) {
                    deleteTree(tmp);
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
        prune();
        return target;
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Checkpoint> latest() {
        List<Path> dirs = checkpoints();
        return dirs.isEmpty() ? Optional.empty() : Optional.of(read(dirs.get(dirs.size() - 1)));
    }

    /** The complete checkpoint directories, oldest first. */
    public List<Path> checkpoints() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve("state.json")))
                    .sorted(Comparator.comparingLong(CheckpointStore::stepOf)).toList();
        } catch (IOException e) {
            throw new TrainingException(root + ": cannot list the checkpoints: " + e.getMessage(), e);
        }
    }

    private static long stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Reads the checkpoint in {@code dir}. */
    public static Checkpoint read(Path dir) {
        Path state = dir.resolve("state.json");
        CheckpointInfo info;
        try {
            info = fromJson(JSON.readTree(Files.readString(state)), state);
        } catch (IOException e) {
            throw new TrainingException(state + ": cannot read the checkpoint state: " + e.getMessage(), e);
        }
        DataType dt = "float64".equals(info.dtype()) ? DataType.DOUBLE : DataType.FLOAT;
        Model model;
        try {
            model = ModelFile.load(dir.resolve("model.json"), dt);
        } catch (ModelException e) {
            throw new TrainingException(dir + ": the checkpoint's model cannot be read: " + e.getMessage(), e);
        }
        OptimizerState opt = OptimizerState.EMPTY;
        Path optFile = dir.resolve("optimizer.npz");
        if (Files.exists(optFile)) {
            Map<String, INDArray> v;
            try {
                v = Npz.read(optFile);
            } catch (ModelException e) {
                throw new TrainingException(optFile + ": " + e.getMessage(), e);
            }
            List<INDArray> velocity = new ArrayList<>();
            for (String name : model.layout().names()) {
                INDArray a = v.get("velocity." + name);
                if (a == null) {
                    throw new TrainingException(optFile + ": no entry 'velocity." + name + "'");
                }
                velocity.add(a.castTo(dt));
            }
            opt = new OptimizerState(velocity);
        }
        return new Checkpoint(model, opt, info, dir);
    }

    private static Map<String, INDArray> velocity(Model model, OptimizerState s) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        List<String> names = model.layout().names();
        for (int i = 0; i < names.size(); i++) {
            m.put("velocity." + names.get(i), s.velocity().get(i));
        }
        return m;
    }

    static ObjectNode toJson(CheckpointInfo i) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", CheckpointInfo.FORMAT);
        o.put("step", i.step());
        o.put("examples_seen", i.examplesSeen());
        o.put("private_training", i.privateTraining());
        o.put("sampling", i.sampling());
        o.put("dataset_size", i.datasetSize());
        o.put("batch_size", i.batchSize());
        o.put("sample_rate", i.sampleRate());
        o.put("clip_norm", i.clipNorm());
        o.put("noise_multiplier", i.noiseMultiplier());
        o.put("learning_rate", i.learningRate());
        o.put("momentum", i.momentum());
        o.put("delta", i.delta());
        if (i.seed() == null) {
            o.putNull("seed");
        } else {
            o.put("seed", i.seed());
        }
        o.put("dtype", i.dtype());
        ArrayNode acc = o.putArray("accountant");
        for (RdpAccountant.Entry e : i.accountant()) {
            ObjectNode n = acc.addObject();
            n.put("noise_multiplier", e.noiseMultiplier());
            n.put("sample_rate", e.sampleRate());
            n.put("steps", e.steps());
        }
        if (Double.isFinite(i.epsilon())) {
            o.put("epsilon", i.epsilon());
        } else {
            o.putNull("epsilon");
        }
        o.put("privacy", i.privacy());
        return o;
    }

    static CheckpointInfo fromJson(JsonNode o, Path file) {
        String format = text(o, "format", file);
        if (!CheckpointInfo.FORMAT.equals(format)) {
            throw new TrainingException(file + ", field 'format': expected \"" + CheckpointInfo.FORMAT + "\", got \"" + format + "\"");
        }
        List<RdpAccountant.Entry> history = new ArrayList<>();
        JsonNode acc = field(o, "accountant", file);
        for (JsonNode n : acc) {
            history.add(new RdpAccountant.Entry(number(n, "noise_multiplier", file), number(n, "sample_rate", file),
                    field(n, "steps", file).asLong()));
        }
        JsonNode seed = field(o, "seed", file);
        JsonNode eps = field(o, "epsilon", file);
        return new CheckpointInfo(field(o, "step", file).asLong(), field(o, "examples_seen", file).asLong(),
                field(o, "private_training", file).asBoolean(), text(o, "sampling", file), field(o, "dataset_size", file).asLong(),
                field(o, "batch_size", file).asLong(), number(o, "sample_rate", file), number(o, "clip_norm", file),
                number(o, "noise_multiplier", file), number(o, "learning_rate", file), number(o, "momentum", file), number(o, "delta", file),
                seed.isNull() ? null : seed.asLong(), text(o, "dtype", file), history, eps.isNull() ? Double.NaN : eps.asDouble(),
                text(o, "privacy", file));
    }

    private static JsonNode field(JsonNode o, String name, Path file) {
        JsonNode n = o.get(name);
        if (n == null) {
            throw new TrainingException(file + ": field '" + name + "' is missing");
        }
        return n;
    }

    private static String text(JsonNode o, String name, Path file) {
        return field(o, name, file).asText();
    }

    private static double number(JsonNode o, String name, Path file) {
        JsonNode n = field(o, name, file);
        if (!n.isNumber()) {
            throw new TrainingException(file + ", field '" + name + "': expected a number, got " + n);
        }
        return n.asDouble();
    }

    private void prune() {
        List<Path> all = checkpoints();
        for (int i = 0; i + KEEP < all.size(); i++) {
            try {
                deleteTree(all.get(i));
            } catch (IOException ignored) {
                // an old checkpoint left behind costs only space
            }
        }
    }

    private static void force(Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
