package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import java.util.Objects;

/**
 * Unfolds sliding windows into columns, PyTorch's {@code unfold}: {@code x [N, C, H, W]} gives
 * {@code [N, C*kh*kw, oh*ow]} where row {@code (c*kh + i)*kw + j} and column {@code p*ow + q} hold
 * {@code x[n, c, p*sh - ph + i*dh, q*sw - pw + j*dw]} (zero where that falls into the padding).
 *
 * <p>The op is linear: its VJP is {@link Col2Im} of the cotangent and its JVP is {@code Im2Col}
 * of the tangent, with the leading basis axes folded into the batch. A cotangent constant along
 * the batch axis ({@code [L..., 1, C*kh*kw, oh*ow]}) stays so: each sample is unfolded on its own.
 *
 * <pre>{@code
 * Tensor cols = Im2Col.apply(x, 3, 3, Conv2dSpec.DEFAULT);   // x [8, 4, 10, 10] -> [8, 36, 64]
 * }</pre>
 */
public record Im2Col(Tensor x, long kh, long kw, Conv2dSpec spec) implements Op {

    /** Forward pass: validates the rank, kernel and spec, then unfolds. */
    public static Tensor apply(Tensor x, long kh, long kw, Conv2dSpec spec) {
        Objects.requireNonNull(spec, "im2col: spec is null");
        Checks.rank("im2col", "input x [N, C, H, W]", x, 4);
        if (kh <= 0 || kw <= 0) {
            throw new AutodiffException("im2col: kernel size must be positive, got " + kh + " x " + kw + " for input "
                    + Shapes.str(x.shape()));
        }
        spec.outputSize("im2col", x.size(2), x.size(3), kh, kw);
        return Tensor.of(new Im2Col(x, kh, kw, spec), ConvKernels.im2col(x.value(), kh, kw, spec));
    }

    @Override
    public String name() {
        return "im2col";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(pullback(c.g(), c.lead(), x.shape(), kh, kw, spec));
    }

    /**
     * {@code Col2Im} of a cotangent {@code [L..., n, C*kh*kw, oh*ow]} ({@code n} = N or 1; the
     * other trailing axes may be 1 and are expanded) into {@code [L..., n, C, H, W]}.
     */
    static Tensor pullback(Tensor g, int lead, long[] xShape, long kh, long kw, Conv2dSpec spec) {
        long ch = xShape[1];
        long h = xShape[2];
        long w = xShape[3];
        long[] o = spec.outputSize("im2col", h, w, kh, kw);
        long rows = ch * kh * kw;
        long cols = o[0] * o[1];
        Tensor ge = ConvKernels.expandFrom(g, lead + 1, rows, cols);
        long n = ge.size(lead);
        Tensor folded = ge.reshape(ConvKernels.leadCount(ge, lead) * n, rows, cols);
        Tensor img = Col2Im.apply(folded, h, w, kh, kw, spec);
        return img.reshape(ConvKernels.withLead(ge, lead, n, ch, h, w));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor t = c.tangent(0);
        long[] s = x.shape();
        Tensor folded = t.reshape(ConvKernels.leadCount(t, c.lead()) * s[0], s[1], s[2], s[3]);
        Tensor cols = Im2Col.apply(folded, kh, kw, spec);
        return cols.reshape(ConvKernels.withLead(t, c.lead(), s[0], cols.size(1), cols.size(2)));
    }
}
