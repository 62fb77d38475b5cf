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
 * Folds columns back into an image, PyTorch's {@code fold}: the adjoint of {@link Im2Col}. Columns
 * {@code [N, C*kh*kw, oh*ow]} give {@code [N, C, H, W]}, each pixel receiving the sum of the column
 * entries that {@code Im2Col} would have copied from it; entries that fall into the padding are
 * dropped.
 *
 * <p>The op is linear: its VJP is {@link Im2Col} of the cotangent and its JVP is {@code Col2Im} of
 * the tangent, with the leading basis axes folded into the batch.
 *
 * <pre>{@code
 * Tensor img = Col2Im.apply(cols, 10, 10, 3, 3, Conv2dSpec.DEFAULT);   // [8, 36, 64] -> [8, 4, 10, 10]
 * }</pre>
 */
public record Col2Im(Tensor cols, long h, long w, long kh, long kw, Conv2dSpec spec) implements Op {

    /**
     * Forward pass.
     *
     * @param cols {@code [N, C*kh*kw, oh*ow]} with {@code oh, ow} the output size of {@code spec}
     *     for an {@code h x w} input
     * @param h image height
     * @param w image width
     */
    public static Tensor apply(Tensor cols, long h, long w, long kh, long kw, Conv2dSpec spec) {
        Objects.requireNonNull(spec, "col2im: spec is null");
        Checks.rank("col2im", "columns [N, C*kh*kw, oh*ow]", cols, 3);
        if (kh <= 0 || kw <= 0 || h <= 0 || w <= 0) {
            throw new AutodiffException("col2im: image " + h + " x " + w + " and kernel " + kh + " x " + kw
                    + " must be positive, for columns " + Shapes.str(cols.shape()));
        }
        long[] o = spec.outputSize("col2im", h, w, kh, kw);
        long rows = cols.size(1);
        if (rows % (kh * kw) != 0 || cols.size(2) != o[0] * o[1]) {
            throw new AutodiffException("col2im: columns " + Shapes.str(cols.shape()) + " do not fit image " + h + " x " + w
                    + " with kernel " + kh + " x " + kw + " and " + spec + "; expected [N, C*" + (kh * kw) + ", "
                    + o[0] * o[1] + "] (output " + o[0] + " x " + o[1] + ")");
        }
        long ch = rows / (kh * kw);
        return Tensor.of(new Col2Im(cols, h, w, kh, kw, spec), ConvKernels.col2im(cols.value(), ch, h, w, kh, kw, spec));
    }

    @Override
    public String name() {
        return "col2im";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(cols);
    }

    private long channels() {
        return cols.size(1) / (kh * kw);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        int lead = c.lead();
        long ch = channels();
        Tensor ge = ConvKernels.expandFrom(c.g(), lead + 1, ch, h, w);
        long n = ge.size(lead);
        Tensor folded = ge.reshape(ConvKernels.leadCount(ge, lead) * n, ch, h, w);
        Tensor unfolded = Im2Col.apply(folded, kh, kw, spec);
        return List.of(unfolded.reshape(ConvKernels.withLead(ge, lead, n, unfolded.size(1), unfolded.size(2))));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor t = c.tangent(0);
        long[] s = cols.shape();
        Tensor folded = t.reshape(ConvKernels.leadCount(t, c.lead()) * s[0], s[1], s[2]);
        Tensor img = Col2Im.apply(folded, h, w, kh, kw, spec);
        return img.reshape(ConvKernels.withLead(t, c.lead(), s[0], channels(), h, w));
    }
}
