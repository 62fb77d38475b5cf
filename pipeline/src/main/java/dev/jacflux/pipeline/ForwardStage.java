package dev.jacflux.pipeline;

import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.config.PipelineConfig;
import java.time.Duration;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward stage, {@code Batch -> ForwardPass}: admits the batch (non-empty, configured
 * precision, non-finite policy), runs the job's forward pass and plans its chunks.
 *
 * <pre>{@code
 * ForwardPass fp = new ForwardStage(config, definition, limits, listener).apply(batch);
 * }</pre>
 */
final class ForwardStage {
    private final PipelineConfig config;
    private final JobDefinition definition;
    private final JobLimits limits;
    private final PipelineListener listener;
    private final String job;

    ForwardStage(PipelineConfig config, JobDefinition definition, JobLimits limits, PipelineListener listener) {
        this.config = config;
        this.definition = definition;
        this.limits = limits;
        this.listener = listener;
        this.job = config.job().configName();
    }

    /** The batch after its forward pass, or an exception naming the batch and the problem. */
    ForwardPass apply(Batch batch) {
        return StageError.guard("the forward pass", () -> {
            long t0 = System.nanoTime();
            INDArray x = InputChecks.admit(batch, config.precision(), config.nonFinitePolicy());
            Batch admitted = x == batch.input() ? batch : new Batch(batch.id(), x, batch.targets(), batch.attributes());
            StagedJob staged = definition.prepare(admitted, x.dataType(), limits);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            listener.forwardFinished(job, elapsed);
            return new ForwardPass(admitted, staged, elapsed);
        });
    }
}
