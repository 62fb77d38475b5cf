package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The slow, obvious way, kept as the reference for tests and benchmarks: one forward pass, then
 * one backward pass per output row with a plain dense one-hot cotangent (no leading block, no
 * structured seed), each row copied into the result. This is what the batched transforms must
 * agree with, and what they are measured against.
 *
 * <pre>{@code
 * INDArray reference = RowLoop.batchJacobian(f, x);   // D_y backward passes
 * INDArray fast = BatchJacobian.of(f).compute(x);     // one pass per chunk
 * }</pre>
 */
public final class RowLoop {
    private RowLoop() {
    }

    /** Batch Jacobian {@code [B, *out, *in]} by one backward pass per per-sample output element. */
    public static INDArray batchJacobian(Function<Tensor, Tensor> f, INDArray x) {
        if (x.rank() < 1 || x.size(0) == 0) {
            throw new AutodiffException("row loop: empty batch " + Shapes.str(x.shape()));
        }
        Tensor input = Tensor.variable(x);
        Tensor y;
        try (GradMode.Scope ignored = GradMode.set(true)) {
            y = f.apply(input);
        }
        long b = x.size(0);
        long[] inShape = Shapes.range(x.shape(), 1, x.rank());
        long[] outShape = Shapes.range(y.shape(), 1, y.rank());
        long in = Shapes.numel(inShape);
        long out = Shapes.numel(outShape);
        INDArray result = Nd4j.zeros(x.dataType(), Shapes.concat(Shapes.concat(new long[] {b}, outShape), inShape));
        INDArray view = result.reshape('c', b, out, in);
        for (long k = 0; k < out; k++) {
            INDArray seed = Nd4j.zeros(x.dataType(), b, out);
            seed.get(NDArrayIndex.all(), NDArrayIndex.point(k)).assign(1.0);
            Tensor g = Backprop.pullback(List.of(y), List.of(Tensor.constant(seed.reshape('c', Shapes.concat(new long[] {1}, y.shape())))),
                    List.of(input), Backprop.Options.DEFAULT).get(0);
            if (g != null) {
                INDArray gx = g.value().broadcast(Shapes.concat(new long[] {1}, x.shape())).reshape('c', b, in);
                view.get(NDArrayIndex.all(), NDArrayIndex.point(k), NDArrayIndex.all()).assign(gx);
            }
        }
        return result;
    }

    /** Full Jacobian {@code [*ys, *xs]} by one backward pass per output element. */
    public static INDArray jacobian(Function<Tensor, Tensor> f, INDArray x) {
        Tensor input = Tensor.variable(x);
        Tensor y;
        try (GradMode.Scope ignored = GradMode.set(true)) {
            y = f.apply(input);
        }
        long in = x.length();
        long out = y.numel();
        INDArray result = Nd4j.zeros(x.dataType(), Shapes.concat(y.shape(), x.shape()));
        INDArray view = result.reshape('c', out, in);
        for (long k = 0; k < out; k++) {
            INDArray seed = Nd4j.zeros(x.dataType(), out);
            seed.putScalar(k, 1.0);
            Tensor g = Backprop.pullback(List.of(y), List.of(Tensor.constant(seed.reshape('c', Shapes.concat(new long[] {1}, y.shape())))),
                    List.of(input), Backprop.Options.DEFAULT).get(0);
            if (g != null) {
                view.getRow(k).assign(g.value().broadcast(Shapes.concat(new long[] {1}, x.shape())).reshape('c', new long[] {in}));
            }
        }
        return result;
    }
}
