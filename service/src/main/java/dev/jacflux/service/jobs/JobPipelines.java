package dev.jacflux.service.jobs;

import dev.jacflux.config.JobKind;
import dev.jacflux.config.Ordering;
import dev.jacflux.config.Precision;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.spring.boot.JacobianPipelines;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's pipelines: one per job kind and precision, created on first use from the
 * starter's {@link JacobianPipelines} (so they have the {@code jacflux.*} configuration and report
 * to every listener bean), each running {@link JobRouter}'s routed definition.
 *
 * <pre>{@code
 * JacobianPipeline p = pipelines.pipeline(JobKind.BATCH_JACOBIAN, Precision.FLOAT32);
 * }</pre>
 */
public final class JobPipelines {
    private record Key(JobKind kind, Precision precision) {
    }

    private final JacobianPipelines factory;
    private final JobRouter router;
    private final Map<Key, JacobianPipeline> pipelines = new ConcurrentHashMap<>();

    /** Pipelines made by {@code factory}, routed by {@code router}. */
    public JobPipelines(JacobianPipelines factory, JobRouter router) {
        this.factory = factory;
        this.router = router;
    }

    /** The pipeline of {@code kind} in {@code precision}. */
    public JacobianPipeline pipeline(JobKind kind, Precision precision) {
        return pipelines.computeIfAbsent(new Key(kind, precision),
                k -> factory.create(router.definition(kind), b -> b.precision(precision).ordering(Ordering.INPUT_ORDER)));
    }

    /** The router the pipelines' batches are routed by. */
    public JobRouter router() {
        return router;
    }
}
