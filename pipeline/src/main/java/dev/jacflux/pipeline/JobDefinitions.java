package dev.jacflux.pipeline;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.FullJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.autodiff.transforms.PerSampleFunction;
import dev.jacflux.autodiff.transforms.PerSampleGradientNorms;
import dev.jacflux.autodiff.transforms.PerSampleGradients;
import dev.jacflux.autodiff.transforms.PerSampleJacobian;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.config.JobKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The five jobs the pipeline runs, one factory each.
 *
 * <pre>{@code
 * JobDefinition jac = JobDefinitions.batchJacobian(x -> x.matmul(w1).tanh().matmul(w2));
 * JobDefinition grads = JobDefinitions.perSampleGradients(loss, params, names);
 * }</pre>
 */
public final class JobDefinitions {
    private JobDefinitions() {
    }

    /** Batch Jacobian {@code [B, *out, *in]} of {@code f} with respect to the batch input. */
    public static JobDefinition batchJacobian(Function<Tensor, Tensor> f) {
        return batchJacobian(f, false);
    }

    /** Batch Jacobian, optionally checking first that {@code f} keeps samples independent. */
    public static JobDefinition batchJacobian(Function<Tensor, Tensor> f, boolean checkIndependence) {
        return new Simple(JobKind.BATCH_JACOBIAN, (batch, dtype, limits) -> BatchJacobian.of(f,
                JacobianOptions.DEFAULT.withChunkSize(limits.chunkSize()).withMemoryBudget(limits.memoryBudgetBytes())
                        .withIndependenceCheck(checkIndependence)).prepare(batch.input()));
    }

    /** Full Jacobian {@code [*out, *in]} of {@code f} over the whole batch (no independence assumed). */
    public static JobDefinition fullJacobian(Function<Tensor, Tensor> f) {
        return new Simple(JobKind.FULL_JACOBIAN, (batch, dtype, limits) -> FullJacobian.of(f,
                JacobianOptions.DEFAULT.withChunkSize(limits.chunkSize()).withMemoryBudget(limits.memoryBudgetBytes()))
                .prepare(batch.input()));
    }

    /** Per-sample gradients {@code [N, M]} of a per-sample loss (targets come from the batch). */
    public static JobDefinition perSampleGradients(PerSampleFunction loss, List<INDArray> params, List<String> names) {
        Params p = new Params(params);
        return new Simple(JobKind.PER_SAMPLE_GRADIENTS, (batch, dtype, limits) -> PerSampleGradients.of(loss, options(limits))
                .prepare(batch.input(), batch.targets(), p.in(dtype), names));
    }

    /** Per-sample gradient norms {@code [N]} of a per-sample loss. */
    public static JobDefinition perSampleGradientNorms(PerSampleFunction loss, List<INDArray> params, List<String> names) {
        Params p = new Params(params);
        return new Simple(JobKind.PER_SAMPLE_GRADIENT_NORMS, (batch, dtype, limits) -> PerSampleGradientNorms.of(loss, options(limits))
                .prepare(batch.input(), batch.targets(), p.in(dtype), names));
    }

    /** Per-sample parameter Jacobian {@code [N, D_y, M]} of per-sample outputs. */
    public static JobDefinition perSampleParameterJacobian(PerSampleFunction f, List<INDArray> params, List<String> names) {
        Params p = new Params(params);
        return new Simple(JobKind.PER_SAMPLE_PARAM_JACOBIAN, (batch, dtype, limits) -> PerSampleJacobian.of(f, options(limits))
                .prepare(batch.input(), batch.targets(), p.in(dtype), names));
    }

    /** A definition from a kind and a preparation function. */
    public static JobDefinition of(JobKind kind, Preparer preparer) {
        return new Simple(kind, preparer);
    }

    private static PerSampleOptions options(JobLimits limits) {
        return new PerSampleOptions(limits.chunkSize(), limits.memoryBudgetBytes());
    }

    /** Turns a batch into a staged job. */
    @FunctionalInterface
    public interface Preparer {
        StagedJob prepare(Batch batch, DataType dtype, JobLimits limits);
    }

    private record Simple(JobKind kind, Preparer preparer) implements JobDefinition {
        @Override
        public StagedJob prepare(Batch batch, DataType dtype, JobLimits limits) {
            return preparer.prepare(batch, dtype, limits);
        }
    }

    /** Parameters converted once per dtype. */
    private static final class Params {
        private final List<INDArray> original;
        private final Map<DataType, List<INDArray>> converted = new ConcurrentHashMap<>();

        Params(List<INDArray> params) {
            this.original = List.copyOf(params);
        }

        List<INDArray> in(DataType dtype) {
            return converted.computeIfAbsent(dtype, d -> original.stream().map(a -> a.dataType() == d ? a : a.castTo(d)).toList());
        }
    }
}
