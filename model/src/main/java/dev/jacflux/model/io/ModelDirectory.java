package dev.jacflux.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A directory of models addressed by content, the one layout the command line, the service's model
 * store ({@code <data-dir>/models}) and the Kafka worker share:
 * <pre>
 * &lt;root&gt;/&lt;id&gt;/model.json    the jacflux-model/1 architecture, naming "weights.npz"
 * &lt;root&gt;/&lt;id&gt;/weights.npz   its weights, keyed as PyTorch's state_dict
 * </pre>
 * where {@code <id>} is the first 16 lowercase hex characters of SHA-256 over the bytes of
 * {@code model.json} followed by the bytes of {@code weights.npz} (shell:
 * {@code cat model.json weights.npz | sha256sum | cut -c1-16}). Each model directory is what
 * {@code jacflux ... --model <root>/<id>/model.json} reads.
 *
 * <p>A model is validated (loaded once) before it is stored, written to a temporary directory
 * (a name starting with {@code .incoming-}, never read as a model) and renamed into place, so a
 * directory {@code <root>/<id>} is always complete; adding the same bytes twice, even at once from
 * several threads or processes, stores them once. Methods are thread-safe and blocking.
 *
 * <pre>{@code
 * ModelDirectory models = new ModelDirectory(Path.of("models"));
 * String id = models.add(Path.of("examples/mnist-mlp/model.json"));   // copies model.json and its weights
 * Model m = models.load(id, DataType.FLOAT);                           // checks the files still hash to id
 * }</pre>
 */
public final class ModelDirectory {
    /** The architecture file in a model's directory. */
    public static final String MODEL_FILE = "model.json";
    /** The weights archive in a model's directory (what every stored {@code model.json} names). */
    public static final String WEIGHTS_FILE = "weights.npz";
    /** Hex characters of an id. */
    public static final int ID_LENGTH = 16;
    /** The name prefix of temporary directories (uploads in progress, deletions). */
    public static final String TEMPORARY_PREFIX = ".incoming-";

    private static final Pattern ID = Pattern.compile("[0-9a-f]{" + ID_LENGTH + "}");
    private static final ObjectMapper JSON = new ObjectMapper();

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
     * The id of a model stored as these two files' bytes: the first 16 lowercase hex characters of
     * SHA-256 over {@code modelJson} followed by {@code weightsNpz}.
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

    /** {@code <root>/<id>/model.json}. */
    public Path modelFile(String id) {
        return directory(id).resolve(MODEL_FILE);
    }

    /** {@code <root>/<id>/weights.npz}. */
    public Path weightsFile(String id) {
        return directory(id).resolve(WEIGHTS_FILE);
    }

    private Path directory(String id) {
        if (!isId(id)) {
            throw new IllegalArgumentException("not a model id: '" + id + "'; expected " + ID_LENGTH + " lowercase hex characters");
        }
        return root.resolve(id);
    }

    /** Whether a complete model with this id is in the directory (false for anything that is not an id). */
    public boolean contains(String id) {
        return isId(id) && Files.isRegularFile(modelFile(id)) && Files.isRegularFile(weightsFile(id));
    }

    /** The ids of the models in the directory, sorted. */
    public List<String> ids() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(this::contains).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the model directory: " + e.getMessage(), e);
        }
    }

    /**
     * What {@link #add} did.
     *
     * @param id the model's id
     * @param created false if the same model was stored already (by an earlier or a concurrent add)
     * @param validated the model as loaded in FLOAT to validate it, or null if it was not loaded
     *     because it was stored already
     */
    public record Added(String id, boolean created, Model validated) {
    }

    /**
     * Adds the model file {@code modelJson} and the weights archive it names, and returns its id
     * (see {@link #add(byte[], byte[], String, String)}).
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
            return add(json, weights).id();
        } catch (IOException e) {
            throw new UncheckedIOException(modelJson + ": cannot read the model: " + e.getMessage(), e);
        }
    }

    /** {@link #add(byte[], byte[], String, String)} with messages naming {@code model.json} and {@code weights.npz}. */
    public Added add(byte[] modelJson, byte[] weightsNpz) {
        return add(modelJson, weightsNpz, MODEL_FILE, WEIGHTS_FILE);
    }

    /**
     * Validates and adds a model given as the bytes of its {@code jacflux-model/1} JSON and of its
     * {@code .npz} weights. A JSON naming another weights file is stored with its {@code weights}
     * field set to {@code weights.npz} ({@link #storedJson}; the id is that of the stored bytes).
     * Adding a model that is already there changes nothing.
     *
     * @param modelName what messages call the JSON, e.g. {@code part 'model' (model.json)}
     * @param weightsName what messages call the weights
     * @throws ModelException naming the file ({@code modelName} or {@code weightsName}), the layer
     *     and the field, if the files do not form a loadable model; nothing is stored then
     * @throws UncheckedIOException if the directory cannot be written
     */
    public Added add(byte[] modelJson, byte[] weightsNpz, String modelName, String weightsName) {
        byte[] json = storedJson(modelJson);
        String id = id(json, weightsNpz);
        if (contains(id)) {
            return new Added(id, false, null);
        }
        Path incoming = root.resolve(TEMPORARY_PREFIX + UUID.randomUUID());
        try {
            Files.createDirectories(incoming);
            Path j = incoming.resolve(MODEL_FILE);
            Path w = incoming.resolve(WEIGHTS_FILE);
            Files.write(j, json);
            Files.write(w, weightsNpz);
            Model model = validate(j, w, incoming, modelName, weightsName);
            Path target = root.resolve(id);
            try {
                move(incoming, target);
                return new Added(id, true, model);
            } catch (IOException e) {
                if (!contains(id)) {
                    throw e;
                }
                return new Added(id, false, model);   // stored meanwhile by a concurrent add of the same bytes
            }
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot add model " + id + ": " + e.getMessage(), e);
        } finally {
            deleteTree(incoming);
        }
    }

    private static Model validate(Path json, Path weights, Path dir, String modelName, String weightsName) {
        try {
            return ModelFile.load(json, DataType.FLOAT);
        } catch (ModelException e) {
            throw new ModelException(rename(e.getMessage(), json, weights, dir, modelName, weightsName), e);
        } catch (RuntimeException e) {
            throw new ModelException(modelName + ": malformed model: " + rename(String.valueOf(e.getMessage()), json, weights, dir, modelName,
                    weightsName), e);
        }
    }

    /** A loader message with the paths replaced by what the caller calls the files. */
    private static String rename(String message, Path json, Path weights, Path dir, String modelName, String weightsName) {
        return message.replace(weights.toString(), weightsName).replace(json.toString(), modelName).replace(dir.toString(), modelName);
    }

    /**
     * Loads model {@code id} in {@code dtype}, checking first that its files still hash to its id.
     *
     * @throws UnknownModelException if the id is malformed or names no model here
     * @throws ModelException if the files do not load or do not match the id (messages name the
     *     model id and {@code model.json}/{@code weights.npz}, not the directory)
     */
    public Model load(String id, DataType dtype) {
        if (!isId(id)) {
            throw new UnknownModelException("unknown model '" + id + "': not a model id; expected " + ID_LENGTH
                    + " lowercase hex characters (the start of the SHA-256 of model.json and weights.npz)");
        }
        if (!contains(id)) {
            throw new UnknownModelException("unknown model '" + id + "': no such model in the model directory");
        }
        Path json = modelFile(id);
        Path weights = weightsFile(id);
        try {
            String actual = id(Files.readAllBytes(json), Files.readAllBytes(weights));
            if (!actual.equals(id)) {
                throw new ModelException("model " + id + ": its files hash to " + actual + ", not to its id (changed after it was added)");
            }
        } catch (IOException e) {
            throw new ModelException("model " + id + ": cannot read its files: " + e.getMessage(), e);
        }
        try {
            return ModelFile.load(json, dtype);
        } catch (ModelException e) {
            throw new ModelException("model " + id + ": " + rename(e.getMessage(), json, weights, json.getParent(), MODEL_FILE, WEIGHTS_FILE),
                    e);
        }
    }

    /**
     * Deletes a model (renamed away first, so readers never see half a model); false if there was
     * none with this id.
     *
     * @throws UncheckedIOException if it cannot be removed
     */
    public boolean delete(String id) {
        if (!contains(id)) {
            return false;
        }
        Path trash = root.resolve(TEMPORARY_PREFIX + "deleted-" + UUID.randomUUID());
        try {
            move(root.resolve(id), trash);
        } catch (IOException e) {
            if (!Files.exists(root.resolve(id))) {
                return false;   // deleted meanwhile
            }
            throw new UncheckedIOException("cannot delete model " + id + ": " + e.getMessage(), e);
        }
        deleteTree(trash);
        return true;
    }

    /**
     * Creates the directory if missing and removes leftovers of interrupted adds and deletions
     * (call it once when a program that owns the directory starts).
     *
     * @throws UncheckedIOException if the directory cannot be created or listed
     */
    public void prepare() {
        try {
            Files.createDirectories(root);
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(TEMPORARY_PREFIX)).toList()) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the model directory " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The JSON as stored: its {@code weights} field set to {@code weights.npz} (pretty-printed),
     * or the bytes unchanged if it says so already or is not a JSON object (loading then reports
     * the error with its line).
     */
    public static byte[] storedJson(byte[] modelJson) {
        JsonNode node;
        try {
            node = JSON.readTree(modelJson);
        } catch (IOException e) {
            return modelJson;
        }
        if (!(node instanceof ObjectNode o) || (o.get("weights") != null && WEIGHTS_FILE.equals(o.get("weights").asText(null)))) {
            return modelJson;
        }
        o.put("weights", WEIGHTS_FILE);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
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
            // a leftover starts with TEMPORARY_PREFIX: never read as a model, removed by the next prepare()
        }
    }
}
