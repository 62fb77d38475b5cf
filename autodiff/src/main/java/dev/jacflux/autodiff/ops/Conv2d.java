package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.PerSampleSupport;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code conv2d}) of {@code x [N, C, H, W]} (NCHW)
 * with weights {@code w [O, C, kh, kw]} (PyTorch's layout) and an optional bias {@code [O]}, giving
 * {@code [N, O, oh, ow]}. The forward pass is libnd4j's native {@code conv2d}; the bias is added by
 * the {@link Add} op, so it is differentiated (also per sample) like any broadcast add.
 *
 * <p>Derivatives, with {@code cols = Im2Col(x) [N, C*kh*kw, oh*ow]} and {@code W = w} flattened to
 * {@code [O, C*kh*kw]}, the leading basis axes of the cotangent folded into the batch so that each
 * is one product:
 * <ul>
 *   <li>{@code gx = Col2Im(W^T @ g)};</li>
 *   <li>{@code gw = sum_n g[n] @ cols[n]^T}; a cotangent constant along the batch axis
 *       ({@code [L..., 1, O, oh, ow]}) needs only the columns summed over the batch, and {@code gx}
 *       then stays {@code [L..., 1, C, H, W]};</li>
 *   <li>per-sample mode (x batched, w a parameter): {@code gw[l, n] = g[l, n] @ cols[n]^T}, one
 *       batched product giving {@code [L..., N, O, C, kh, kw]};</li>
 *   <li>JVP: {@code conv(tx, w) + conv(x, tw)}.</li>
 * </ul>
 * All rules are written with differentiable ops ({@link MatMul}, {@link Im2Col}, {@link Col2Im},
 * {@link Reshape}, {@link Permute}), so second order works.
 *
 * <pre>{@code
 * Conv2dSpec spec = Conv2dSpec.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
 * Tensor y = Conv2d.apply(x, w, b, spec);   // x [8, 3, 32, 32], w [16, 3, 3, 3], b [16] -> [8, 16, 32, 32]
 * }</pre>
 */
public record Conv2d(Tensor x, Tensor w, Conv2dSpec spec) implements Op {

    /**
     * Convolution plus bias.
     *
     * @param x input {@code [N, C, H, W]}
     * @param w weights {@code [O, C, kh, kw]}
     * @param bias {@code [O]}, or {@code null} for none
     * @param spec stride, padding, dilation
     * @return {@code [N, O, oh, ow]}
     */
    public static Tensor apply(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec) {
        Objects.requireNonNull(x, "conv2d: input x is null");
        Objects.requireNonNull(w, "conv2d: weight w is null");
        Objects.requireNonNull(spec, "conv2d: spec is null");
        Checks.rank("conv2d", "input x [N, C, H, W]", x, 4);
        Checks.rank("conv2d", "weight w [O, C, kh, kw]", w, 4);
        if (bias != null) {
            Checks.sameDtype("conv2d", x, w, bias);
        } else {
            Checks.sameDtype("conv2d", x, w);
        }
        long o = w.size(0);
        if (x.size(1) != w.size(1)) {
            throw new AutodiffException("conv2d: input x " + Shapes.str(x.shape()) + " has " + x.size(1)
                    + " channels but weight w " + Shapes.str(w.shape()) + " [O, C, kh, kw] expects " + w.size(1));
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != o)) {
            throw new AutodiffException("conv2d: bias must have shape [" + o + "] (one per output channel of weight w "
                    + Shapes.str(w.shape()) + "), got " + Shapes.str(bias.shape()));
        }
        try {
            spec.outputSize("conv2d", x.size(2), x.size(3), w.size(2), w.size(3));
        } catch (AutodiffException e) {
            throw new AutodiffException(e.getMessage() + " (input x " + Shapes.str(x.shape()) + ", weight w "
                    + Shapes.str(w.shape()) + ")");
        }
        Tensor y = Tensor.of(new Conv2d(x, w, spec), ConvKernels.conv2d(x.value(), w.value(), spec));
        return bias == null ? y : y.add(bias.reshape(o, 1, 1));
    }

    /** Convolution without bias. */
    public static Tensor apply(Tensor x, Tensor w, Conv2dSpec spec) {
        return apply(x, w, null, spec);
    }

    @Override
    public String name() {
        return "conv2d";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x, w);
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.HANDLED;
    }

    long kernelRows() {
        return w.size(1) * w.size(2) * w.size(3);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        if (!GradMode.isRecording() && !ConvKernels.wholeImageWindow(x.size(2), x.size(3), w.size(2), w.size(3), spec)
                && BatchedGemm.supports(x.value(), w.value(), c.g().value())) {
            return ConvRules.vjp(this, c);
        }
        if (c.needs(0) && c.perSample(0)) {
            throw new AutodiffException("conv2d: per-sample mode: input x " + Shapes.str(x.shape())
                    + " does not depend on the batch while weight w " + Shapes.str(w.shape())
                    + " does; per-sample cotangents are supported for the weight only");
        }
        int lead = c.lead();
        long n = x.size(0);
        long o = w.size(0);
        long ckk = kernelRows();
        long[] out = c.out().shape();
        long p = out[2] * out[3];
        // size-1 axes along O, oh, ow are expanded; a size-1 batch axis (batch-invariant) is kept
        Tensor g = ConvKernels.expandFrom(c.g(), lead + 1, o, out[2], out[3]);
        long ng = g.size(lead);
        long lflat = ConvKernels.leadCount(g, lead);
        Tensor g3 = g.reshape(lflat * ng, o, p);

        Tensor gx = null;
        if (c.needs(0)) {
            Tensor wt = w.reshape(o, ckk).transpose();                       // [C*kh*kw, O]
            Tensor colsG = wt.matmul(g3);                                    // [L*ng, C*kh*kw, P]
            Tensor img = Col2Im.apply(colsG, x.size(2), x.size(3), w.size(2), w.size(3), spec);
            gx = img.reshape(ConvKernels.withLead(g, lead, ng, x.size(1), x.size(2), x.size(3)));
        }
        Tensor gw = null;
        if (c.needs(1)) {
            Tensor cols = Im2Col.apply(x, w.size(2), w.size(3), spec);      // [N, C*kh*kw, P]
            Tensor flat;
            if (c.perSample(1)) {
                // gw[l, n] = g[l, n] @ cols[n]^T, batched over (l, n), no sum over the batch
                Tensor prod = g.reshape(lflat, ng, o, p).matmul(cols.transpose());   // [L, N, O, C*kh*kw]
                gw = prod.reshape(ConvKernels.withLead(g, lead, n, o, w.size(1), w.size(2), w.size(3)));
                return Arrays.asList(gx, gw);
            } else if (ng == 1) {
                // constant along the batch (or N = 1): the op is linear in x, sum the columns first
                Tensor colsSum = n == 1 ? cols.reshape(ckk, p) : cols.sum(0);
                flat = g3.matmul(colsSum.transpose());                                // [L, O, C*kh*kw]
            } else {
                // sum over n and the output positions in one GEMM: [L, O, N*P] @ [N*P, C*kh*kw]
                Tensor gp = g.reshape(lflat, n, o, p).permute(0, 2, 1, 3).reshape(lflat, o, n * p);
                Tensor cp = cols.permute(0, 2, 1).reshape(n * p, ckk);
                flat = gp.matmul(cp);
            }
            gw = flat.reshape(ConvKernels.withLead(g, lead, o, w.size(1), w.size(2), w.size(3)));
        }
        return Arrays.asList(gx, gw);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor tx = c.tangent(0);
        Tensor tw = c.tangent(1);
        int lead = c.lead();
        long n = x.size(0);
        long o = w.size(0);
        long[] out = c.out().shape();
        Tensor fromX = null;
        if (tx != null) {
            long lflat = ConvKernels.leadCount(tx, lead);
            Tensor folded = tx.reshape(lflat * n, x.size(1), x.size(2), x.size(3));
            fromX = apply(folded, w, spec).reshape(ConvKernels.withLead(tx, lead, n, o, out[2], out[3]));
        }
        Tensor fromW = null;
        if (tw != null) {
            long lflat = ConvKernels.leadCount(tw, lead);
            Tensor cols = Im2Col.apply(x, w.size(2), w.size(3), spec);                  // [N, C*kh*kw, P]
            Tensor prod = tw.reshape(lflat * o, kernelRows()).matmul(cols);              // [N, L*O, P]
            fromW = prod.reshape(n, lflat, o, out[2] * out[3]).permute(1, 0, 2, 3)
                    .reshape(ConvKernels.withLead(tw, lead, n, o, out[2], out[3]));
        }
        return Tensor.addNullable(fromX, fromW);
    }
}
