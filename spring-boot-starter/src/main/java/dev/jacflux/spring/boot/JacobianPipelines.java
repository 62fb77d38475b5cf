package dev.jacflux.spring.boot;

import dev.jacflux.config.PipelineConfig;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.PipelineListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Creates {@link JacobianPipeline}s from the application's {@code jacflux.*} configuration and
 * listener (JacFlux's meters plus every other {@link PipelineListener} bean), and closes them
 * (their rail threads) when the application context stops. The job of each pipeline comes from
 * its {@link JobDefinition}, so one configuration serves every kind of job.
 *
 * <pre>{@code
 * @Bean
 * JacobianPipeline saliency(JacobianPipelines pipelines) {
 *     return pipelines.create(JobDefinitions.batchJacobian(x -> x.matmul(w).softmax(-1)));
 * }
 * // a per-request variant: float64, one batch at a time
 * JacobianPipeline p = pipelines.create(definition, b -> b.precision(Precision.FLOAT64).batchesInFlight(1));
 * }</pre>
 */
public final class JacobianPipelines implements AutoCloseable {
    private final PipelineConfig config;
    private final PipelineListener listener;
    private final List<JacobianPipeline> created = new CopyOnWriteArrayList<>();

    /** Pipelines configured by {@code config} (the job is taken from each definition) reporting to {@code listener}. */
    public JacobianPipelines(PipelineConfig config, PipelineListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = listener == null ? PipelineListener.NOOP : listener;
    }

    /** The base configuration. */
    public PipelineConfig config() {
        return config;
    }

    /** The listener every pipeline reports to. */
    public PipelineListener listener() {
        return listener;
    }

    /** A pipeline running {@code definition} with the base configuration. */
    public JacobianPipeline create(JobDefinition definition) {
        return create(definition, UnaryOperator.identity());
    }

    /**
     * A pipeline running {@code definition} with the base configuration changed by {@code changes}
     * (the job is always the definition's).
     *
     * @throws dev.jacflux.config.ConfigException if the changed configuration is invalid
     */
    public JacobianPipeline create(JobDefinition definition, UnaryOperator<PipelineConfig.Builder> changes) {
        PipelineConfig c = changes.apply(config.toBuilder()).job(definition.kind()).build();
        JacobianPipeline pipeline = JacobianPipeline.create(c, definition, listener);
        created.add(pipeline);
        return pipeline;
    }

    /** Closes every pipeline created here. */
    @Override
    public void close() {
        for (JacobianPipeline p : created) {
            p.close();
        }
        created.clear();
    }
}
