package dev.jacflux.service.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.ModelFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The models of the service, kept as files in the data directory so that they survive a restart
 * and so that the command line and the Kafka worker can read them:
 * <pre>
 * &lt;data-dir&gt;/models/&lt;id&gt;/model.json    the jacflux-model/1 architecture, naming "weights.npz"
 * &lt;data-dir&gt;/models/&lt;id&gt;/weights.npz   its weights, keyed as PyTorch's state_dict
 * </pre>
 * {@code <id>} is {@link ModelId#of} the two files' bytes. A model is validated (loaded once)
 * before it is stored, written to a temporary directory and renamed into place, so a directory
 * {@code models/<id>} is always complete. Architectures and loaded models (per dtype) are cached;
 * every method is thread-safe and blocking (call it off the event loop).
 *
 * <pre>{@code
 * ModelStore store = new ModelStore(Path.of("/var/lib/jacflux"));
 * StoredModel m = store.save(jsonBytes, npzBytes).model();
 * Model forward = store.load(m.id(), DataType.FLOAT);
 * // bin/jacflux jacobian --model /var/lib/jacflux/models/<id>/model.json --input x.npy --out J.npy
 * }</pre>
 */
public final class ModelStore {
    /** The weights file name every stored {@code model.json} names. */
    public static final String WEIGHTS = "weights.npz";
    /** The architecture file name. */
    public static final String JSON = "model.json";
    private static final String INCOMING = ".incoming-";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path models;
    private final Map<String, StoredModel> described = new ConcurrentHashMap<>();
    private final Map<String, Model> loaded = new ConcurrentHashMap<>();

    /** A store in {@code dataDir/models} (created if missing; leftovers of interrupted uploads are removed). */
    public ModelStore(Path dataDir) {
        this.models = dataDir.resolve("models");
        try {
            Files.createDirectories(models);
            try (Stream<Path> s = Files.list(models)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(INCOMING)).toList()) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the model directory " + models + ": " + e.getMessage(), e);
        }
    }

    /** {@code <data-dir>/models}. */
    public Path directory() {
        return models;
    }

    /**
     * The result of {@link #save}.
     *
     * @param model   the stored model
     * @param created false if the same model was stored already
     */
    public record Saved(StoredModel model, boolean created) {
    }

    /**
     * Validates and stores a model given as the bytes of its {@code jacflux-model/1} JSON and of
     * its {@code .npz} weights. If the JSON names another weights file, its {@code weights} field
     * is set to {@code weights.npz} (the id is computed over the stored bytes).
     *
     * @throws InvalidModelException naming the part ({@code model} or {@code weights}), the layer
     *     and the field, if the files do not form a loadable model
     */
    public Saved save(byte[] modelJson, byte[] weightsNpz) {
        byte[] json = pointAtWeights(modelJson);
        String id = ModelId.of(json, weightsNpz);
        Optional<StoredModel> existing = find(id);
        if (existing.isPresent()) {
            return new Saved(existing.get(), false);
        }
        Path incoming = models.resolve(INCOMING + UUID.randomUUID());
        try {
            Files.createDirectories(incoming);
            Path j = incoming.resolve(JSON);
            Path w = incoming.resolve(WEIGHTS);
            Files.write(j, json);
            Files.write(w, weightsNpz);
            Model model;
            try {
                model = ModelFile.load(j, DataType.FLOAT);
            } catch (ModelException e) {
                throw new InvalidModelException(partMessage(e.getMessage(), j, w), e);
            } catch (RuntimeException e) {
                throw new InvalidModelException("part 'model': malformed model: " + partMessage(String.valueOf(e.getMessage()), j, w), e);
            }
            Path target = models.resolve(id);
            boolean created;
            try {
                moveDirectory(incoming, target);
                created = true;
            } catch (IOException e) {
                if (!Files.isRegularFile(target.resolve(JSON))) {
                    throw e;
                }
                created = false;   // stored meanwhile by a concurrent upload of the same bytes ("Directory not empty")
            }
            StoredModel stored = describe(id).orElseThrow(() -> new IllegalStateException("model " + id + " vanished after storing"));
            loaded.putIfAbsent(key(id, DataType.FLOAT), model);
            return new Saved(stored, created);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store model " + id + " in " + models + ": " + e.getMessage(), e);
        } finally {
            deleteTree(incoming);
        }
    }

    /** The model with this id, if stored. */
    public Optional<StoredModel> find(String id) {
        if (!ModelId.isWellFormed(id)) {
            return Optional.empty();
        }
        StoredModel cached = described.get(id);
        if (cached != null && Files.isRegularFile(cached.json())) {
            return Optional.of(cached);
        }
        described.remove(id);
        return describe(id);
    }

    private Optional<StoredModel> describe(String id) {
        Path dir = models.resolve(id);
        Path json = dir.resolve(JSON);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(dir.resolve(WEIGHTS))) {
            return Optional.empty();
        }
        StoredModel m = new StoredModel(id, json, dir.resolve(WEIGHTS), ModelFile.describe(json).architecture());
        described.put(id, m);
        return Optional.of(m);
    }

    /** Every stored model, by id. */
    public List<StoredModel> list() {
        List<StoredModel> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(models)) {
            for (Path p : s.map(Path::getFileName).sorted(Comparator.comparing(Path::toString)).toList()) {
                find(p.toString()).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + models + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Deletes a model; false if there was none with this id. Jobs already running keep their loaded copy. */
    public boolean delete(String id) {
        Optional<StoredModel> m = find(id);
        described.remove(id);
        loaded.keySet().removeIf(k -> k.startsWith(id + "/"));
        if (m.isEmpty()) {
            return false;
        }
        Path trash = models.resolve(INCOMING + "deleted-" + UUID.randomUUID());
        try {
            moveDirectory(models.resolve(id), trash);
        } catch (IOException e) {
            if (!Files.exists(models.resolve(id))) {
                return false;   // deleted meanwhile
            }
            throw new UncheckedIOException("cannot delete model " + id + ": " + e.getMessage(), e);
        }
        deleteTree(trash);
        return true;
    }

    /**
     * The model's weights loaded in {@code dtype} (FLOAT or DOUBLE) straight from its files, as
     * the command line loads them with {@code --dtype}; cached.
     *
     * @throws java.util.NoSuchElementException if there is no such model
     */
    public Model load(String id, DataType dtype) {
        StoredModel m = find(id).orElseThrow(() -> new java.util.NoSuchElementException("no model " + id));
        return loaded.computeIfAbsent(key(id, dtype), k -> ModelFile.load(m.json(), dtype));
    }

    private static String key(String id, DataType dtype) {
        return id + "/" + dtype;
    }

    /** The JSON with its {@code weights} field set to {@code weights.npz}, or unchanged if it is, or if it is not a JSON object. */
    static byte[] pointAtWeights(byte[] modelJson) {
        JsonNode root;
        try {
            root = MAPPER.readTree(modelJson);
        } catch (IOException e) {
            return modelJson;   // loading reports the JSON error with its line
        }
        if (!(root instanceof ObjectNode o) || (o.get("weights") != null && WEIGHTS.equals(o.get("weights").asText(null)))) {
            return modelJson;
        }
        o.put("weights", WEIGHTS);
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loader message with the temporary paths replaced by the parts they came from. */
    private static String partMessage(String message, Path json, Path weights) {
        return message.replace(weights.toString(), "part 'weights' (" + WEIGHTS + ")")
                .replace(json.toString(), "part 'model' (" + JSON + ")");
    }

    private static void moveDirectory(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover is removed at the next start
        }
    }

    /**
     * The uploaded files do not form a loadable model; the message names the part, the layer and the field.
     *
     * <pre>{@code
     * part 'model' (model.json): layers[3] 'fc2' (linear), field 'in_features': ...
     * }</pre>
     */
    public static final class InvalidModelException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidModelException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
