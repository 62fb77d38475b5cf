package dev.jacflux.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A directory of models addressed by content: {@code <root>/<id>/model.json} (a
 * {@code jacflux-model/1} file whose {@code weights} field is {@code weights.npz}) and
 * {@code <root>/<id>/weights.npz}, where {@code <id>} is the first 16 lowercase hex characters of
 * SHA-256 over the bytes of {@code model.json} followed by the bytes of {@code weights.npz}. Each
 * model directory is what the command line reads with {@code --model <root>/<id>/model.json}; the
 * service keeps its model store in the same layout.
 *
 * <pre>{@code
 * ModelDirectory models = new ModelDirectory(Path.of("models"));
 * String id = models.add(Path.of("examples/mnist-mlp/model.json"));   // copies model.json and its weights
 * Model m = models.load(id, DataType.FLOAT);
 * }</pre>
 */
public final class ModelDirectory {
    /** The architecture file in a model's directory. */
    public static final String MODEL_FILE = "model.json";
    /** The weights archive in a model's directory. */
    public static final String WEIGHTS_FILE = "weights.npz";
    /** Hex characters of an id. */
    public static final int ID_LENGTH = 16;

    private static final Pattern ID = Pattern.compile("[0-9a-f]{" + ID_LENGTH + "}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    /** The model directory at {@code root} (created by {@link #add} if missing). */
    public ModelDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The directory. */
    public Path root() {
        return root;
    }

    /**
     * The id of a model: the first 16 lowercase hex characters of SHA-256 over {@code modelJson}
     * followed by {@code weightsNpz}.
     */
    public static String id(byte[] modelJson, byte[] weightsNpz) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
        sha.update(modelJson);
        sha.update(weightsNpz);
        return HexFormat.of().formatHex(sha.digest()).substring(0, ID_LENGTH);
    }

    /** Whether {@code s} has the form of an id (16 lowercase hex characters). */
    public static boolean isId(String s) {
        return s != null && ID.matcher(s).matches();
    }

    /**
     * Adds the model file {@code modelJson} and the weights archive it names, and returns its id.
     * The stored {@code model.json} names {@code weights.npz}: a file naming another archive is
     * stored with that field rewritten (the id is that of the stored bytes). Adding a model that is
     * already there changes nothing.
     *
     * @throws ModelException if the model does not load (the model format's message)
     * @throws UncheckedIOException if the files cannot be read or written
     */
    public String add(Path modelJson) {
        if (!Files.isRegularFile(modelJson)) {
            throw new ModelException(modelJson + ": model file not found; expected a " + ModelFile.FORMAT + " JSON file");
        }
        ModelFile.Description d = ModelFile.describe(modelJson);
        try {
            byte[] json = Files.readAllBytes(modelJson);
            byte[] weights = d.weights() == null ? Npz.toNpz(Map.of()) : Files.readAllBytes(d.weights());
            return add(json, weights);
        } catch (IOException e) {
            throw new UncheckedIOException(modelJson + ": cannot read the model: " + e.getMessage(), e);
        }
    }

    /** Adds a model given as the bytes of its JSON file and of its weights archive (see {@link #add(Path)}). */
    public String add(byte[] modelJson, byte[] weightsNpz) {
        byte[] json = withStoredWeightsName(modelJson);
        String id = id(json, weightsNpz);
        Path target = root.resolve(id);
        if (Files.isRegularFile(target.resolve(MODEL_FILE)) && Files.isRegularFile(target.resolve(WEIGHTS_FILE))) {
            return id;
        }
        Path tmp = null;
        try {
            Files.createDirectories(root);
            tmp = Files.createTempDirectory(root, ".add-" + id + "-");
            Files.write(tmp.resolve(MODEL_FILE), json);
            Files.write(tmp.resolve(WEIGHTS_FILE), weightsNpz);
            loadFrom(tmp, "new model " + id, DataType.FLOAT);   // only loadable models enter the directory
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            tmp = null;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // added concurrently: same id, same bytes
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot add model " + id + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
        return id;
    }

    /** Whether a model with this id is in the directory. */
    public boolean contains(String id) {
        return isId(id) && Files.isRegularFile(root.resolve(id).resolve(MODEL_FILE));
    }

    /** The ids of the models in the directory, sorted. */
    public List<String> ids() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(ModelDirectory::isId).filter(this::contains).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the model directory: " + e.getMessage(), e);
        }
    }

    /**
     * Loads model {@code id} in {@code dtype}, checking that its files still hash to its id.
     *
     * @throws UnknownModelException if the id is malformed or names no model here
     * @throws ModelException if the files do not load or do not match the id (messages name the
     *     model id, not the directory)
     */
    public Model load(String id, DataType dtype) {
        if (!isId(id)) {
            throw new UnknownModelException("unknown model '" + id + "': not a model id; expected " + ID_LENGTH
                    + " lowercase hex characters (the start of the SHA-256 of model.json and weights.npz)");
        }
        Path dir = root.resolve(id);
        if (!Files.isRegularFile(dir.resolve(MODEL_FILE))) {
            throw new UnknownModelException("unknown model '" + id + "': no such model in the model directory");
        }
        try {
            byte[] json = Files.readAllBytes(dir.resolve(MODEL_FILE));
            byte[] weights = Files.readAllBytes(dir.resolve(WEIGHTS_FILE));
            String actual = id(json, weights);
            if (!actual.equals(id)) {
                throw new ModelException("model " + id + ": its files hash to " + actual + ", not to its id (changed after it was added)");
            }
        } catch (IOException e) {
            throw new ModelException("model " + id + ": cannot read its files: " + e.getMessage(), e);
        }
        return loadFrom(dir, "model " + id, dtype);
    }

    private static Model loadFrom(Path dir, String name, DataType dtype) {
        try {
            ModelFile.Description d = ModelFile.describe(dir.resolve(MODEL_FILE));
            Map<String, INDArray> sd = Npz.read(dir.resolve(WEIGHTS_FILE));
            return Model.fromStateDict(d.architecture(), sd, dtype, WEIGHTS_FILE);
        } catch (ModelException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            throw new ModelException(name + ": " + m.replace(dir.resolve(MODEL_FILE).toString(), MODEL_FILE)
                    .replace(dir.resolve(WEIGHTS_FILE).toString(), WEIGHTS_FILE).replace(dir.toString(), name), e);
        }
    }

    /** The JSON with {@code "weights": "weights.npz"}: unchanged if it says so already, else rewritten. */
    private static byte[] withStoredWeightsName(byte[] modelJson) {
        JsonNode root;
        try {
            root = JSON.readTree(modelJson);
        } catch (IOException e) {
            throw new ModelException("model.json: not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException("model.json: expected a JSON object (a " + ModelFile.FORMAT + " file)");
        }
        JsonNode w = root.get("weights");
        if (w != null && w.isTextual() && w.asText().equals(WEIGHTS_FILE)) {
            return modelJson;
        }
        ((ObjectNode) root).put("weights", WEIGHTS_FILE);
        try {
            return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelException("model.json: cannot rewrite the weights field: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: a leftover temporary directory starts with '.' and is never read as a model
        }
    }
}
