package dev.jacflux.kafka;

import dev.jacflux.config.PipelineConfig;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.JobDefinitions;
import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.pipeline.PipelineResult;
import java.util.EnumMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * One {@link JacobianPipeline} per job kind, created on first use, each running the job on
 * whichever model a batch names: the definition looks the model up in the {@link ModelCache} by the
 * batch's {@code jacflux-model} attribute and runs {@code ModelJobs.of(model, loss, kind)} (built
 * once per model, job and loss).
 *
 * <pre>{@code
 * try (JobPipelines pipelines = new JobPipelines(config, cache, listener)) {
 *     pipelines.process(WorkerJob.GRADS, batch).subscribe(result -> ...);
 * }
 * }</pre>
 */
public final class JobPipelines implements AutoCloseable {
    private final PipelineConfig base;
    private final ModelCache models;
    private final PipelineListener listener;
    private final Map<WorkerJob, JacobianPipeline> pipelines = new EnumMap<>(WorkerJob.class);
    private boolean closed;

    /** Pipelines configured as {@code base} (its job is replaced per kind), reporting to {@code listener}. */
    public JobPipelines(PipelineConfig base, ModelCache models, PipelineListener listener) {
        this.base = base;
        this.models = models;
        this.listener = listener == null ? PipelineListener.NOOP : listener;
    }

    /** Runs {@code batch} (decoded by {@link RecordDecoder}) as {@code job}: one result or failure. */
    public Mono<PipelineResult> process(WorkerJob job, Batch batch) {
        return pipeline(job).processOne(batch);
    }

    private synchronized JacobianPipeline pipeline(WorkerJob job) {
        if (closed) {
            throw new IllegalStateException("the worker's pipelines are closed");
        }
        return pipelines.computeIfAbsent(job, j -> JacobianPipeline.create(base.toBuilder().job(j.kind()).build(), definition(j), listener));
    }

    private JobDefinition definition(WorkerJob job) {
        return JobDefinitions.of(job.kind(), (batch, dtype, limits) -> {
            Map<String, String> a = batch.attributes();
            String loss = a.get(JacFluxHeaders.LOSS);
            return models.get(a.get(JacFluxHeaders.MODEL))
                    .definition(job, loss == null ? null : WorkerLoss.parse(loss).orElseThrow())
                    .prepare(batch, dtype, limits);
        });
    }

    /** Disposes every pipeline's rails. */
    @Override
    public synchronized void close() {
        closed = true;
        pipelines.values().forEach(JacobianPipeline::close);
        pipelines.clear();
    }
}
