package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
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
        try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
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
        try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
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

    /**
     * Per-sample gradients {@code [N, M]} the naive way: for each sample, a forward pass on that
     * sample alone and one ordinary backward pass (N passes in all).
     */
    public static INDArray perSampleGradients(PerSampleFunction loss, INDArray x, INDArray targets, List<INDArray> params) {
        return perSampleLoop(loss, x, targets, params, false);
    }

    /** Per-sample parameter Jacobian {@code [N, D_y, M]} by one backward pass per sample and output element. */
    public static INDArray perSampleJacobian(PerSampleFunction f, INDArray x, List<INDArray> params) {
        return perSampleLoop(f, x, null, params, true);
    }

    private static INDArray perSampleLoop(PerSampleFunction f, INDArray x, INDArray targets, List<INDArray> params, boolean jacobian) {
        long n = x.size(0);
        long m = 0;
        for (INDArray p : params) {
            m += p.length();
        }
        INDArray result = null;
        for (long b = 0; b < n; b++) {
            INDArray xb = x.get(NDArrayIndex.interval(b, b + 1));
            INDArray tb = targets == null ? null : targets.get(NDArrayIndex.interval(b, b + 1));
            Tensor input = Tensor.constant(xb);
            List<Tensor> ps = params.stream().map(Tensor::variable).toList();
            Tensor out;
            try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
                out = f.apply(input, tb, ps);
            }
            long d = jacobian ? out.numel() : 1;
            if (!jacobian && out.numel() != 1) {
                throw new AutodiffException("row loop: the loss must give one value per sample, got " + Shapes.str(out.shape()));
            }
            if (result == null) {
                result = Nd4j.zeros(x.dataType(), jacobian ? new long[] {n, d, m} : new long[] {n, m});
            }
            for (long k = 0; k < d; k++) {
                INDArray seed = Nd4j.zeros(x.dataType(), out.numel());
                seed.putScalar(k, 1.0);
                List<Tensor> grads = Backprop.pullback(List.of(out), List.of(Tensor.constant(seed.reshape('c', out.shape()))), ps,
                        Backprop.Options.DEFAULT);
                long off = 0;
                for (int i = 0; i < ps.size(); i++) {
                    long size = params.get(i).length();
                    Tensor g = grads.get(i);
                    if (g != null) {
                        INDArray flat = g.value().broadcast(params.get(i).shape()).reshape('c', new long[] {size});
                        INDArray row = jacobian ? result.get(NDArrayIndex.point(b), NDArrayIndex.point(k), NDArrayIndex.all())
                                : result.getRow(b);
                        row.get(NDArrayIndex.interval(off, off + size)).assign(flat);
                    }
                    off += size;
                }
            }
        }
        return result;
    }
}
