package dev.jacflux.service.models;

import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.ModelDirectory;
import dev.jacflux.model.io.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The models of the service, kept as files in the data directory so that they survive a restart
 * and so that the command line and the Kafka worker can read them: a {@link ModelDirectory} at
 * {@code <data-dir>/models} (the library's layout and content ids):
 * <pre>
 * &lt;data-dir&gt;/models/&lt;id&gt;/model.json    the jacflux-model/1 architecture, naming "weights.npz"
 * &lt;data-dir&gt;/models/&lt;id&gt;/weights.npz   its weights, keyed as PyTorch's state_dict
 * </pre>
 * Architectures and loaded models (per dtype) are cached; every method is thread-safe and blocking
 * (call it off the event loop).
 *
 * <pre>{@code
 * ModelStore store = new ModelStore(Path.of("/var/lib/jacflux"));
 * StoredModel m = store.save(jsonBytes, npzBytes).model();
 * Model forward = store.load(m.id(), DataType.FLOAT);
 * // bin/jacflux jacobian --model /var/lib/jacflux/models/<id>/model.json --input x.npy --out J.npy
 * }</pre>
 */
public final class ModelStore {
    private static final String MODEL_PART = "part 'model' (" + ModelDirectory.MODEL_FILE + ")";
    private static final String WEIGHTS_PART = "part 'weights' (" + ModelDirectory.WEIGHTS_FILE + ")";

    private final ModelDirectory models;
    private final Map<String, StoredModel> described = new ConcurrentHashMap<>();
    private final Map<String, Model> loaded = new ConcurrentHashMap<>();

    /** A store in {@code dataDir/models} (created if missing; leftovers of interrupted uploads are removed). */
    public ModelStore(Path dataDir) {
        this.models = new ModelDirectory(dataDir.resolve("models"));
        models.prepare();
    }

    /** {@code <data-dir>/models}. */
    public Path directory() {
        return models.root();
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
        ModelDirectory.Added added;
        try {
            added = models.add(modelJson, weightsNpz, MODEL_PART, WEIGHTS_PART);
        } catch (ModelException e) {
            throw new InvalidModelException(e.getMessage(), e);
        }
        String id = added.id();
        StoredModel stored = find(id).orElseThrow(() -> new IllegalStateException("model " + id + " vanished after storing"));
        if (added.validated() != null) {
            loaded.putIfAbsent(key(id, DataType.FLOAT), added.validated());
        }
        return new Saved(stored, added.created());
    }

    /** The model with this id, if stored. */
    public Optional<StoredModel> find(String id) {
        if (!ModelDirectory.isId(id)) {
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
        if (!models.contains(id)) {
            return Optional.empty();
        }
        Path json = models.modelFile(id);
        StoredModel m = new StoredModel(id, json, models.weightsFile(id), ModelFile.describe(json).architecture());
        described.put(id, m);
        return Optional.of(m);
    }

    /** Every stored model, by id. */
    public List<StoredModel> list() {
        List<StoredModel> out = new ArrayList<>();
        for (String id : models.ids()) {
            find(id).ifPresent(out::add);
        }
        return out;
    }

    /** Deletes a model; false if there was none with this id. Jobs already running keep their loaded copy. */
    public boolean delete(String id) {
        described.remove(id);
        loaded.keySet().removeIf(k -> k.startsWith(id + "/"));
        return models.delete(id);
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
