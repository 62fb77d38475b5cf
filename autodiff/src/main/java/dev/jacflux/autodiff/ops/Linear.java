package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.PerSampleSupport;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import dev.jacflux.autodiff.engine.CotangentFit;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense layer in PyTorch's layout, {@code y = x W^T + b} with {@code W [out, in]} and
 * {@code b [out]} (optional): one GEMM over all leading axes of {@code x [..., in]}.
 *
 * <p>The same result as {@code x.matmul(w.transpose()).add(b)}, but the rules produce weight
 * cotangents directly in {@code W}'s layout: in per-sample mode the per-sample weight cotangent
 * {@code g[b]^T x[b]} comes out as a contiguous {@code [L, B, out, in]} block (one broadcast outer
 * product), ready to be copied into the rows of an {@code N x M} matrix, instead of the transposed
 * layout a {@code matmul} with {@code W^T} would give.
 *
 * <pre>{@code
 * Tensor h = Linear.apply(x, w, b);   // x [B, 784], w [256, 784], b [256] -> [B, 256]
 * }</pre>
 */
public record Linear(Tensor x, Tensor w, Tensor b) implements Op {

    /** Forward pass; {@code b} may be null. */
    public static Tensor apply(Tensor x, Tensor w, Tensor b) {
        if (w.rank() != 2) {
            throw new AutodiffException("linear: weight must be [out, in], got " + Shapes.str(w.shape()));
        }
        if (x.rank() < 1 || x.size(-1) != w.size(1)) {
            throw new AutodiffException("linear: input " + Shapes.str(x.shape()) + " does not end in the weight's "
                    + w.size(1) + " input features (weight " + Shapes.str(w.shape()) + ")");
        }
        if (b != null && (b.rank() != 1 || b.size(0) != w.size(0))) {
            throw new AutodiffException("linear: bias must be [" + w.size(0) + "], got " + Shapes.str(b.shape()));
        }
        Checks.sameDtype("linear", x, w);
        if (b != null) {
            Checks.sameDtype("linear", x, b);
        }
        long in = w.size(1);
        long out = w.size(0);
        long rows = x.numel() / Math.max(1, in);
        INDArray x2 = x.value().reshape('c', rows, in);
        INDArray y = Nd4j.createUninitialized(x.dtype(), rows, out);
        if (rows > 0) {
            INDArray wv = MatMulKernel.isCContiguous(w.value()) ? w.value() : w.value().dup('c');
            INDArray xv = MatMulKernel.isCContiguous(x2) ? x2 : x2.dup('c');
            try (NativeThreads.Scope wide = NativeThreads.wide(rows * out, in)) {
                Nd4j.gemm(xv, wv, y, false, true, 1.0, 0.0);
            }
            if (b != null) {
                y.addiRowVector(b.value());
            }
        }
        long[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        return Tensor.of(new Linear(x, w, b), y.reshape('c', outShape));
    }

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public List<Tensor> inputs() {
        return b == null ? List.of(x, w) : List.of(x, w, b);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        int lead = c.lead();
        long out = w.size(0);
        Tensor gx = null;
        if (c.needs(0)) {
            gx = g.size(-1) == 1 && out > 1 ? g.mul(w.sum(true, 0)) : g.matmul(w);
        }
        Tensor gw = null;
        if (c.needs(1)) {
            INDArray dest = c.perSample(1) ? c.destination(1) : null;
            if (dest != null && writePerSampleWeight(g, lead, dest)) {
                gw = Tensor.constant(dest);
            } else {
                gw = c.perSample(1) ? perSampleWeight(g, lead) : summedWeight(g, lead);
            }
        }
        Tensor gb = null;
        if (b != null && c.needs(2)) {
            gb = CotangentFit.fit(name(), g, lead, b.shape(), c.perSample(2), c.out().shape());
        }
        return b == null ? Arrays.asList(gx, gw) : Arrays.asList(gx, gw, gb);
    }

    /** {@code sum over rows of g^T x}, as {@code [L..., out, in]}. */
    private Tensor summedWeight(Tensor g, int lead) {
        long in = w.size(1);
        long out = w.size(0);
        long[] ls = Shapes.range(g.shape(), 0, lead);
        long lflat = Shapes.numel(ls);
        Tensor gf = g.size(-1) == 1 && out > 1 ? g.broadcastTo(Shapes.concat(Shapes.range(g.shape(), 0, g.rank() - 1), new long[] {out})) : g;
        long rowsG = gf.numel() / (lflat * out);
        long rowsX = x.numel() / in;
        Tensor prod;
        if (rowsG == rowsX) {
            // [L, out, R] @ [R, in]: one GEMM with all rows
            prod = gf.reshape(lflat, rowsX, out).transpose().matmul(x.reshape(rowsX, in));
        } else {
            // the cotangent is constant along some row axes: sum x over them first (the op is linear in x)
            long[] gRows = Shapes.range(gf.shape(), lead, gf.rank() - 1);
            Tensor xs = CotangentFit.fit(name(), x, 0, Shapes.concat(gRows, new long[] {in}), false, null);
            prod = gf.reshape(lflat, rowsG, out).transpose().matmul(xs.reshape(rowsG, in));
        }
        return prod.reshape(Shapes.concat(ls, new long[] {out, in}));
    }

    /**
     * Writes the per-sample outer products {@code g[b] (outer) x[b]} straight into {@code dest}
     * ({@code [1, B, out, in]}, typically the rows of an {@code N x M} result) with one broadcasting
     * multiply,
     * when the shapes allow it; returns false to fall back.
     */
    private boolean writePerSampleWeight(Tensor g, int lead, INDArray dest) {
        long in = w.size(1);
        long out = w.size(0);
        long batch = x.size(0);
        if (dev.jacflux.autodiff.GradMode.isRecording() || lead != 1 || g.size(0) != 1 || x.rank() != 2
                || g.size(1) != batch || g.size(2) != out || !java.util.Arrays.equals(dest.shape(), new long[] {1, batch, out, in})) {
            return false;
        }
        INDArray g4 = g.value().reshape('c', 1, batch, out, 1);
        INDArray x4 = x.value().reshape('c', 1, batch, 1, in);
        // one broadcasting multiply written into the destination's own (strided) memory
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp(new INDArray[] {g4, x4}, new INDArray[] {dest}));
        return true;
    }

    /** Per-sample {@code g[l, b]^T x[b]} as {@code [L..., B, out, in]} (x's batch axis first). */
    private Tensor perSampleWeight(Tensor g, int lead) {
        long in = w.size(1);
        long out = w.size(0);
        long[] ls = Shapes.range(g.shape(), 0, lead);
        long batch = x.size(0);
        long gb = g.size(lead);
        if (x.rank() == 2) {
            // outer product per sample: [L, B|1, out, 1] * [B, 1, in]
            long gOut = g.size(-1);
            Tensor gr = g.reshape(Shapes.concat(ls, new long[] {gb, gOut, 1}));
            return gr.mul(x.reshape(batch, 1, in));
        }
        // x [B, T..., in]: g[l, b]^T (out x T) @ x[b] (T x in), batched over (l, b)
        long t = x.numel() / (batch * in);
        long[] full = x.shape();
        full[full.length - 1] = out;
        Tensor gf = g.broadcastTo(Shapes.concat(ls, full));
        Tensor gt = gf.reshape(Shapes.concat(ls, new long[] {batch, t, out})).transpose();      // [L, B, out, T]
        return gt.matmul(x.reshape(batch, t, in));                                                // [L, B, out, in]
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor tx = c.tangent(0);
        Tensor tw = c.tangent(1);
        Tensor tb = b == null ? null : c.tangent(2);
        Tensor r = null;
        if (tx != null) {
            r = tx.matmul(w.transpose());
        }
        if (tw != null) {
            // x [..., in] @ tw[l]^T [in, out] for each leading l: align x's batch with tw's leading axes
            int lead = c.lead();
            long[] ls = Shapes.range(tw.shape(), 0, lead);
            long rows = x.numel() / w.size(1);
            Tensor xw = x.reshape(rows, w.size(1)).matmul(tw.transpose());                      // [L, rows, out]
            long[] outShape = c.out().shape();
            r = Tensor.addNullable(r, xw.reshape(Shapes.concat(ls, outShape)));
        }
        if (tb != null) {
            r = Tensor.addNullable(r, c.tangentAligned(2));
        }
        return r;
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.HANDLED;
    }
}
