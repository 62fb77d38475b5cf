package dev.jacflux.service.jobs;

import dev.jacflux.config.JobKind;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.JobDefinitions;
import dev.jacflux.pipeline.ModelJobs;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets one pipeline per job kind serve every model: a request registers its model (and loss) and
 * gets a key; its batches carry the key in the attribute {@value #ATTRIBUTE}, and the routed
 * {@link JobDefinition} of that kind finds the model by it and runs {@link ModelJobs} for it. The
 * pipelines (their rails and result buffers) are thus shared across requests, and a model deleted
 * while a request runs stays usable until the request ends.
 *
 * <pre>{@code
 * try (JobRouter.Registration r = router.register(model, Loss.crossEntropy())) {
 *     Batch b = new Batch("req7/0", x, labels, r.attributes());
 *     pipelines.pipeline(JobKind.PER_SAMPLE_GRADIENTS, Precision.FLOAT32).processOne(b)...
 * }
 * }</pre>
 */
public final class JobRouter {
    /** The batch attribute naming the registration. */
    public static final String ATTRIBUTE = "jacflux.job";

    private final Map<String, Registration> active = new ConcurrentHashMap<>();

    /** Registers a model (in the precision its batches run in) and a loss (null for Jacobians). */
    public Registration register(Model model, Loss loss) {
        Registration r = new Registration(UUID.randomUUID().toString(), model, loss);
        active.put(r.key, r);
        return r;
    }

    /** Registrations open now. */
    public int active() {
        return active.size();
    }

    /** The definition of {@code kind} that routes each batch to its registered model. */
    public JobDefinition definition(JobKind kind) {
        return JobDefinitions.of(kind, (batch, dtype, limits) -> {
            Registration r = lookup(batch);
            return ModelJobs.of(r.model, r.loss, kind).prepare(batch, dtype, limits);
        });
    }

    private Registration lookup(Batch batch) {
        String key = batch.attributes().get(ATTRIBUTE);
        Registration r = key == null ? null : active.get(key);
        if (r == null) {
            throw new IllegalStateException("batch " + batch.id() + ": no model registered under " + ATTRIBUTE + "=" + key);
        }
        return r;
    }

    /** A registered model; closing it removes the registration. */
    public final class Registration implements AutoCloseable {
        private final String key;
        private final Model model;
        private final Loss loss;

        private Registration(String key, Model model, Loss loss) {
            this.key = key;
            this.model = model;
            this.loss = loss;
        }

        /** The attributes a batch of this registration carries. */
        public Map<String, String> attributes() {
            return Map.of(ATTRIBUTE, key);
        }

        @Override
        public void close() {
            active.remove(key, this);
        }
    }
}
