package dev.jacflux.model;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-sample Hessians {@code [B, *in, *in]} of a model's per-sample loss (or of its single output
 * per sample) with respect to each sample's input, in two batched passes instead of one Hessian
 * per sample.
 *
 * <p>Recipe: {@code g(x)} is the gradient of the <em>sum</em> of the per-sample losses with respect
 * to the whole batch {@code x}, recorded with {@link Backprop.Options#secondOrder()} so that it is
 * itself differentiable. Because samples are independent, {@code g(x)[b]} depends only on
 * {@code x[b]}, and the batch Jacobian of {@code g} ({@link BatchJacobian}) is exactly the stack of
 * the per-sample Hessians: {@code H[b] = d g(x)[b] / d x[b]}.
 *
 * <pre>{@code
 * INDArray h = PerSampleHessian.compute(model, x, Loss.crossEntropy(), labels, JacobianOptions.DEFAULT);  // [B, *in, *in]
 * INDArray h1 = PerSampleHessian.compute(scalarModel, x, null, null, JacobianOptions.DEFAULT);   // one output per sample
 * BatchJacobian.Job job = PerSampleHessian.prepare(model, x, Loss.mse(), y, JacobianOptions.DEFAULT.withChunkSize(16));
 * }</pre>
 */
public final class PerSampleHessian {
    private PerSampleHessian() {
    }

    /**
     * The staged per-sample Hessian (rows of each sample's Hessian in chunks).
     *
     * @param loss the per-sample loss, or {@code null} for a model with one output per sample
     * @param targets the loss's targets (ignored without a loss)
     * @throws ModelException if the model couples samples, or has more than one output per sample
     *     and no loss is given
     */
    public static BatchJacobian.Job prepare(Model model, INDArray x, Loss loss, INDArray targets, JacobianOptions options) {
        PerSample.requireIndependentSamples(model, "per-sample hessian");
        long[] out = model.architecture().outputShape();
        if (loss == null && Shapes.numel(out) != 1) {
            throw new ModelException("per-sample hessian: the model has " + Shapes.numel(out) + " outputs per sample (output shape "
                    + Shapes.str(out) + "); a Hessian needs one scalar per sample: give a loss and targets");
        }
        long batch = x.size(0);
        List<Tensor> params = new ArrayList<>();
        for (INDArray p : model.parameters()) {
            params.add(Tensor.constant(p));
        }
        long[] xShape = x.shape();
        long[] gShape = Shapes.concat(new long[] {1}, xShape);
        Function<Tensor, Tensor> gradient = xin -> {
            Tensor y = model.forward(xin, params);
            Tensor perSample = loss == null ? y.reshape(batch) : loss.apply(y, targets);
            Tensor total = perSample.sum();
            Tensor seed = Tensor.constant(Nd4j.ones(total.dtype(), Shapes.concat(new long[] {1}, total.shape())));
            Tensor g = Backprop.pullback(List.of(total), List.of(seed), List.of(xin), Backprop.Options.secondOrder()).get(0);
            if (g == null) {
                return xin.mul(0.0);
            }
            if (!Arrays.equals(g.shape(), gShape)) {
                g = g.broadcastTo(gShape);
            }
            return g.reshape(xShape);
        };
        return BatchJacobian.of(gradient, options).prepare(x);
    }

    /** The per-sample Hessians {@code [B, *in, *in]} as a fresh array. */
    public static INDArray compute(Model model, INDArray x, Loss loss, INDArray targets, JacobianOptions options) {
        BatchJacobian.Job job = prepare(model, x, loss, targets, options);
        return job.runInto(job.allocateResult());
    }
}
