package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.PerSampleSupport;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.Arrays;
import java.util.List;

/**
 * Matrix product with numpy semantics: operands of rank >= 2, the last two axes multiply and all
 * leading axes are batch axes that broadcast. A 2-D right operand (a weight matrix) is one GEMM
 * over all rows of the left, whatever its leading axes.
 *
 * <p>Cotangents: {@code ga = g @ b^T}, {@code gb = a^T @ g}, both with the leading basis axes of
 * {@code g} treated as batch axes. In per-sample mode, a dense layer {@code x [B, n] @ W [n, m]}
 * gives the per-sample weight cotangent {@code gW[l, b] = x[b]^T g[l, b]} as one broadcast outer
 * product instead of summing over the batch.
 *
 * <pre>{@code
 * Tensor h = MatMul.apply(x, w);   // x [B, n], w [n, m] -> [B, m]; same as x.matmul(w)
 * }</pre>
 */
public record MatMul(Tensor a, Tensor b) implements Op {

    /** Forward pass: validates ranks, inner dimensions and dtypes, then multiplies. */
    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDtype("matmul", a, b);
        MatMulKernel.outputShape(a.shape(), b.shape());
        return Tensor.of(new MatMul(a, b), MatMulKernel.multiply(a.value(), b.value()));
    }

    @Override
    public String name() {
        return "matmul";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(a, b);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        Tensor ga = c.needs(0) ? leftCotangent(g, c) : null;
        Tensor gb = null;
        if (c.needs(1)) {
            gb = c.perSample(1) && a.rank() == 2 ? perSampleOuter(g, c) : rightCotangent(g, c);
        }
        return Arrays.asList(ga, gb);
    }

    /** {@code g @ b^T}; a cotangent constant along the output columns needs only the row sums of b. */
    private Tensor leftCotangent(Tensor g, VjpContext c) {
        long m = c.out().size(-1);
        if (g.size(-1) == 1 && m > 1) {
            // g constant along columns: g @ b^T = g[..., 0:1] * (b summed over its columns)^T
            return g.mul(b.sum(true, -1).transpose());
        }
        return g.matmul(b.transpose());
    }

    /** {@code a^T @ g}; a cotangent constant along the output rows needs only the column sums of a. */
    private Tensor rightCotangent(Tensor g, VjpContext c) {
        long r = c.out().size(-2);
        Tensor at = g.size(-2) == 1 && r > 1 ? a.sum(true, -2).transpose() : a.transpose();
        return at.matmul(g);
    }

    /** Per-sample weight cotangent for x [B, n] @ W [n, m]: gW[l, b] = x[b] (outer) g[l, b]. */
    private Tensor perSampleOuter(Tensor g, VjpContext c) {
        long[] gs = g.shape();
        int lead = c.lead();
        long[] gShape = new long[lead + 3];
        System.arraycopy(gs, 0, gShape, 0, lead);
        gShape[lead] = gs[lead];
        gShape[lead + 1] = 1;
        gShape[lead + 2] = gs[lead + 1];
        Tensor x = a.reshape(a.size(0), a.size(1), 1);
        return g.reshape(gShape).mul(x);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor ta = c.tangentAligned(0);
        Tensor tb = c.tangentAligned(1);
        return Tensor.addNullable(ta == null ? null : ta.matmul(b), tb == null ? null : a.matmul(tb));
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.HANDLED;
    }
}
