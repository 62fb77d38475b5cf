package dev.jacflux.pipeline;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.config.JobKind;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.PerSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Job definitions for a {@link Model}: what a service, the CLI or a benchmark runs the pipeline
 * with. Per-sample jobs use the model's layer-aware routes (per-layer outer products written
 * straight into the result; ghost norms without the {@code N x M} matrix); Jacobians use the
 * model's forward function. Every job but the full Jacobian needs samples that do not influence
 * each other: a model with batch statistics (batch norm in training form) fails each batch with
 * reason {@code shape} and a message naming the layer. The model is converted to each batch's
 * precision once.
 *
 * <pre>{@code
 * Model model = ModelFile.load(Path.of("model.json"), DataType.FLOAT);
 * JobDefinition grads = ModelJobs.of(model, Loss.crossEntropy(), JobKind.PER_SAMPLE_GRADIENTS);
 * JacobianPipeline pipeline = JacobianPipeline.create(config, grads, listener);
 * }</pre>
 */
public final class ModelJobs {
    private ModelJobs() {
    }

    /**
     * The definition of {@code kind} for {@code model}; {@code loss} is used by the per-sample
     * gradient jobs (and may be null for the others).
     */
    public static JobDefinition of(Model model, Loss loss, JobKind kind) {
        if ((kind == JobKind.PER_SAMPLE_GRADIENTS || kind == JobKind.PER_SAMPLE_GRADIENT_NORMS) && loss == null) {
            throw new IllegalArgumentException("job '" + kind.configName() + "' needs a loss");
        }
        Converted models = new Converted(model);
        return JobDefinitions.of(kind, (batch, dtype, limits) -> {
            Model m = models.in(dtype);
            PerSampleOptions options = new PerSampleOptions(limits.chunkSize(), limits.memoryBudgetBytes());
            return switch (kind) {
                case PER_SAMPLE_GRADIENTS -> PerSample.gradientsJob(m, batch.input(), batch.targets(), loss, options);
                case PER_SAMPLE_GRADIENT_NORMS -> PerSample.gradientNormsJob(m, batch.input(), batch.targets(), loss, options);
                case PER_SAMPLE_PARAM_JACOBIAN -> PerSample.parameterJacobianJob(m, batch.input(), options);
                case BATCH_JACOBIAN -> {
                    requireIndependentSamples(m);
                    yield JobDefinitions.batchJacobian(forward(m)).prepare(batch, dtype, limits);
                }
                case FULL_JACOBIAN -> JobDefinitions.fullJacobian(forward(m)).prepare(batch, dtype, limits);
            };
        });
    }

    /**
     * A batch Jacobian assumes that each sample's output depends on its own input only; a model
     * with batch statistics (batch norm in training form) breaks that, and its blocks would be
     * silently wrong. Refused as the command line refuses it.
     */
    private static void requireIndependentSamples(Model m) {
        try {
            PerSample.requireIndependentSamples(m, "batch jacobian");
        } catch (ModelException e) {
            throw new ModelException(e.getMessage() + " Or compute the full Jacobian instead (job '" + JobKind.FULL_JACOBIAN.configName()
                    + "'), which assumes nothing about the samples.", e);
        }
    }

    /** The model's forward pass as a function of its input, with the parameters held constant. */
    public static Function<Tensor, Tensor> forward(Model m) {
        List<Tensor> params = new ArrayList<>();
        for (INDArray p : m.parameters()) {
            params.add(Tensor.constant(p));
        }
        return x -> m.forward(x, params);
    }

    /** The model converted once per dtype. */
    private static final class Converted {
        private final Model original;
        private final Map<DataType, Model> byType = new ConcurrentHashMap<>();

        Converted(Model original) {
            this.original = original;
        }

        Model in(DataType dtype) {
            return byType.computeIfAbsent(dtype, d -> original.dtype() == d ? original : original.withDtype(d));
        }
    }
}
