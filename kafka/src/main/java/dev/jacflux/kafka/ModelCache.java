package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import dev.jacflux.model.io.UnknownModelException;
import dev.jacflux.model.Model;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.ModelJobs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Models of a {@link ModelDirectory} loaded once and kept, least recently used first out when more
 * than {@code capacity} are held, with their job definitions ({@link ModelJobs}) built once per job
 * and loss. Thread-safe: the worker's polling thread looks models up when it admits a record, the
 * pipeline's rails when they prepare a batch (a model evicted in between is loaded again).
 *
 * <pre>{@code
 * ModelCache cache = new ModelCache(new ModelDirectory(Path.of("models")), DataType.FLOAT, 16);
 * Model m = cache.get("3f2a9c0d11e4b7a5").model();
 * }</pre>
 */
public final class ModelCache {
    private final ModelDirectory directory;
    private final DataType dtype;
    private final Map<String, Entry> entries;

    /** A cache of at most {@code capacity >= 1} models of {@code directory}, loaded in {@code dtype}. */
    public ModelCache(ModelDirectory directory, DataType dtype, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("model cache capacity must be at least 1, got " + capacity);
        }
        this.directory = directory;
        this.dtype = dtype;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The directory models are loaded from. */
    public ModelDirectory directory() {
        return directory;
    }

    /**
     * The model {@code id}, loaded on first use.
     *
     * @throws UnknownModelException if there is no such model
     * @throws dev.jacflux.model.ModelException if its files do not load
     */
    public synchronized Entry get(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            e = new Entry(id, directory.load(id, dtype));
            entries.put(id, e);
        }
        return e;
    }

    /** Models currently held. */
    public synchronized int size() {
        return entries.size();
    }

    /** A loaded model and its job definitions. */
    public static final class Entry {
        private final String id;
        private final Model model;
        private final Map<String, JobDefinition> definitions = new ConcurrentHashMap<>();

        Entry(String id, Model model) {
            this.id = id;
            this.model = model;
        }

        /** The model id. */
        public String id() {
            return id;
        }

        /** The model. */
        public Model model() {
            return model;
        }

        /** The definition of {@code job} (with {@code loss} for the gradient jobs, else null), built once. */
        public JobDefinition definition(WorkerJob job, WorkerLoss loss) {
            String key = job.headerValue() + "/" + (loss == null ? "" : loss.headerValue());
            return definitions.computeIfAbsent(key, k -> ModelJobs.of(model, loss == null ? null : loss.loss(), job.kind()));
        }
    }
}
