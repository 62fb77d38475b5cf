package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.Arrays;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward kernels behind the convolution and pooling ops: libnd4j's native {@code im2col},
 * {@code col2im} and {@code conv2d}, called with explicit arguments in PyTorch's layouts, plus
 * the shape helpers their derivative rules share. All results are fresh arrays.
 *
 * <p>libnd4j's {@code im2col} writes {@code [N, C, kh, kw, oh, ow]}, which read row-major is
 * already PyTorch's {@code unfold} layout {@code [N, C*kh*kw, oh*ow]}. Its {@code col2im} takes
 * integer arguments {@code (sH, sW, pH, pW, H, W, dH, dW, same)}; the Java wrapper
 * {@code Nd4j.cnn().col2Im} passes the kernel size in the image-size slots (and fails), so it is not
 * used. {@code im2col} takes the padding value as its floating-point argument (max pooling pads with
 * {@code -inf}).
 *
 * <pre>{@code
 * INDArray cols = ConvKernels.im2col(x, 3, 3, Conv2dSpec.DEFAULT);        // [N, C*9, oh*ow]
 * INDArray back = ConvKernels.col2im(cols, C, H, W, 3, 3, Conv2dSpec.DEFAULT); // [N, C, H, W]
 * }</pre>
 */
public final class ConvKernels {
    private ConvKernels() {
    }

    /** {@code x [N, C, H, W]} to columns {@code [N, C*kh*kw, oh*ow]}, padding with zeros. */
    public static INDArray im2col(INDArray x, long kh, long kw, Conv2dSpec s) {
        return im2col(x, kh, kw, s, 0.0);
    }

    /**
     * Whether the kernel covers the whole unpadded image in a single window ({@code oh = ow = 1}):
     * then the columns are the image itself and the convolution is a dense layer.
     */
    static boolean wholeImageWindow(long h, long w, long kh, long kw, Conv2dSpec s) {
        return kh == h && kw == w && s.ph() == 0 && s.pw() == 0 && s.dh() == 1 && s.dw() == 1;
    }

    /** {@code x [N, C, H, W]} to columns {@code [N, C*kh*kw, oh*ow]}, padding with {@code padValue}. */
    public static INDArray im2col(INDArray x, long kh, long kw, Conv2dSpec s, double padValue) {
        long n = x.size(0);
        long c = x.size(1);
        if (wholeImageWindow(x.size(2), x.size(3), kh, kw, s)) {
            return x.reshape('c', n, c * kh * kw, 1);
        }
        long[] o = s.outputSize("im2col", x.size(2), x.size(3), kh, kw);
        INDArray out = Nd4j.createUninitialized(x.dataType(), n, c * kh * kw, o[0] * o[1]);
        im2colInto(x, kh, kw, s, padValue, out);
        return out;
    }

    /** Writes the columns of {@code x} into {@code out} ({@code [N, C*kh*kw, oh*ow]}, dense, e.g. a {@link ScratchArrays} lease). */
    public static void im2colInto(INDArray x, long kh, long kw, Conv2dSpec s, double padValue, INDArray out) {
        if (out.length() == 0) {
            return;
        }
        INDArray xd = NativeMemory.isDense(x) ? x : x.dup('c');
        if (Im2ColKernel.supports(xd, out)) {
            Im2ColKernel.im2col(xd, kh, kw, s, padValue, out);
            return;
        }
        long[] o = s.outputSize("im2col", x.size(2), x.size(3), kh, kw);
        INDArray six = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1), kh, kw, o[0], o[1]);
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("im2col").addInputs(xd).addOutputs(six)
                .addIntegerArguments((int) kh, (int) kw, s.sh(), s.sw(), s.ph(), s.pw(), s.dh(), s.dw(), 0);
        if (padValue != 0.0) {
            op.addFloatingPointArguments(padValue);
        }
        try (NativeThreads.Scope wide = NativeThreads.wideElementwise(six.length())) {
            Nd4j.exec(op.build());
        }
        out.assign(six.reshape('c', out.shape()));
    }

    /**
     * Columns {@code [N, C*kh*kw, oh*ow]} back to an image {@code [N, C, H, W]}, summing entries
     * that come from the same pixel and dropping those that fall into the padding.
     */
    public static INDArray col2im(INDArray cols, long c, long h, long w, long kh, long kw, Conv2dSpec s) {
        long n = cols.size(0);
        if (wholeImageWindow(h, w, kh, kw, s)) {
            return cols.reshape('c', n, c, h, w);
        }
        long[] o = s.outputSize("col2im", h, w, kh, kw);
        INDArray out = Nd4j.createUninitialized(cols.dataType(), n, c, h, w);
        if (out.length() == 0) {
            return out;
        }
        INDArray cd = NativeMemory.isDense(cols) ? cols : cols.dup('c');
        if (Im2ColKernel.supports(cd, out)) {
            Im2ColKernel.col2im(cd, c, h, w, kh, kw, s, out);
            return out;
        }
        out.assign(0);
        INDArray six = cd.reshape('c', n, c, kh, kw, o[0], o[1]);
        if (six.length() > 0) {
            try (NativeThreads.Scope wide = NativeThreads.wideElementwise(six.length())) {
                Nd4j.exec(DynamicCustomOp.builder("col2im").addInputs(six).addOutputs(out)
                        .addIntegerArguments(s.sh(), s.sw(), s.ph(), s.pw(), (int) h, (int) w, s.dh(), s.dw(), 0).build());
            }
        }
        return out;
    }

    /** Cross-correlation of {@code x [N, C, H, W]} with {@code w [O, C, kh, kw]}: {@code [N, O, oh, ow]}. */
    public static INDArray conv2d(INDArray x, INDArray w, Conv2dSpec s) {
        long kh = w.size(2);
        long kw = w.size(3);
        long[] o = s.outputSize("conv2d", x.size(2), x.size(3), kh, kw);
        if (x.size(0) == 0 || w.size(0) == 0 || w.size(1) == 0) {
            return Nd4j.create(x.dataType(), x.size(0), w.size(0), o[0], o[1]);
        }
        if (wholeImageWindow(x.size(2), x.size(3), kh, kw, s)) {
            // one window over the whole image: a dense layer, one GEMM [N, C*H*W] x [O, C*H*W]^T
            long n = x.size(0);
            long k = x.size(1) * kh * kw;
            INDArray x2 = x.reshape('c', n, k);
            INDArray w2 = w.reshape('c', w.size(0), k);
            INDArray y = Nd4j.createUninitialized(x.dataType(), n, w.size(0));
            try (NativeThreads.Scope wide = NativeThreads.wide(n * w.size(0), k)) {
                Nd4j.gemm(MatMulKernel.isCContiguous(x2) ? x2 : x2.dup('c'), MatMulKernel.isCContiguous(w2) ? w2 : w2.dup('c'), y,
                        false, true, 1.0, 0.0);
            }
            return y.reshape('c', n, w.size(0), 1, 1);
        }
        long n = x.size(0);
        long oc = w.size(0);
        long ckk = w.size(1) * kh * kw;
        long p = o[0] * o[1];
        INDArray wd = NativeMemory.isDense(w) ? w : w.dup('c');
        INDArray y = Nd4j.createUninitialized(x.dataType(), n, oc, o[0], o[1]);
        INDArray xd = NativeMemory.isDense(x) ? x : x.dup('c');
        if (BatchedGemm.supports(xd, wd, y) && NativeMemory.isDense(wd)) {
            // per sample: unfold into a small scratch block that stays in cache, then y[n] = W [O, CKK] @ cols [CKK, P]
            // (measured faster than unfolding the whole batch first, and than one GEMM over the batch after a transposing copy)
            Im2ColKernel.Geometry geo = new Im2ColKernel.Geometry(x.size(2), x.size(3), kh, kw, s, x.dataType());
            RawGemm gemm = new RawGemm(geo.isFloat);
            long c = x.size(1);
            long xA = NativeMemory.address(xd);
            long wA = NativeMemory.address(wd);
            long yA = NativeMemory.address(y);
            int width = geo.width;
            try (NativeThreads.Scope wide = NativeThreads.wide(oc * p, ckk); ScratchArrays.Lease cols = ScratchArrays.take(x.dataType(), ckk * p)) {
                long sA = NativeMemory.address(cols.array());
                for (long b = 0; b < n; b++) {
                    geo.im2col(xA + b * c * x.size(2) * x.size(3) * width, sA, c, 0.0);
                    gemm.gemm(false, false, oc, p, ckk, 1.0, wA, ckk, sA, p, 0.0, yA + b * oc * p * width, p);
                }
            }
            return y;
        }
        Conv2DConfig cfg = Conv2DConfig.builder().kH(kh).kW(kw).sH(s.sh()).sW(s.sw()).pH(s.ph()).pW(s.pw())
                .dH(s.dh()).dW(s.dw()).paddingMode(PaddingMode.VALID).dataFormat("NCHW")
                .weightsFormat(WeightsFormat.OIYX).build();
        try (NativeThreads.Scope wide = NativeThreads.wide(n * oc * p, ckk)) {
            return Nd4j.cnn().conv2d(x, w, cfg);
        }
    }

    /**
     * Per-sample weight gradients of a convolution, written straight into rows of a result: for
     * every sample {@code b}, {@code rows[b, :O*C*kh*kw] = g[b] [O, P] @ cols(x[b])^T}, with the
     * sample's im2col columns made in a small per-thread scratch block just before its GEMM.
     *
     * @param x the layer's input {@code [N, C, H, W]}
     * @param g the output cotangent {@code [N, O, oh, ow]} (any shape with {@code N*O*P} elements)
     * @param o the number of output channels {@code O}
     * @param rows {@code [N, >= O*C*kh*kw]}, unit stride within a row (e.g. a block of columns of the
     *     {@code N x M} matrix)
     * @return false (nothing written) if the arrays are not dense float32/float64 of one dtype
     */
    public static boolean perSampleWeightGradients(INDArray x, INDArray g, long o, long kh, long kw, Conv2dSpec s, INDArray rows) {
        long n = x.size(0);
        long c = x.size(1);
        long[] out = s.outputSize("conv2d", x.size(2), x.size(3), kh, kw);
        long p = out[0] * out[1];
        long ckk = c * kh * kw;
        INDArray xd = NativeMemory.isDense(x) ? x : x.dup('c');
        INDArray gd = NativeMemory.isDense(g) ? g : g.dup('c');
        boolean rowsOk = rows.rank() == 2 && rows.size(0) == n && rows.size(1) >= o * ckk && (rows.size(1) == 1 || rows.stride(1) == 1)
                && (n == 1 || rows.stride(0) >= o * ckk);
        if (!rowsOk || !BatchedGemm.supports(xd, gd, rows) || gd.length() != n * o * p) {
            return false;
        }
        Im2ColKernel.Geometry geo = new Im2ColKernel.Geometry(x.size(2), x.size(3), kh, kw, s, x.dataType());
        RawGemm gemm = new RawGemm(geo.isFloat);
        int width = geo.width;
        long xA = NativeMemory.address(xd);
        long gA = NativeMemory.address(gd);
        long rA = NativeMemory.address(rows);
        long rowStride = n == 1 ? o * ckk : rows.stride(0);
        try (NativeThreads.Scope wide = NativeThreads.wide(o * ckk, p); ScratchArrays.Lease cols = ScratchArrays.take(x.dataType(), ckk * p)) {
            long sA = NativeMemory.address(cols.array());
            for (long b = 0; b < n; b++) {
                geo.im2col(xA + b * c * x.size(2) * x.size(3) * width, sA, c, 0.0);
                gemm.gemm(false, true, o, ckk, p, 1.0, gA + b * o * p * width, p, sA, p, 0.0, rA + b * rowStride * width, ckk);
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ helpers for the rules

    /**
     * {@code t} with the dimensions from {@code from} on broadcast (differentiably) to
     * {@code sizes}, where they are 1 and {@code sizes} is larger; the dimensions before
     * {@code from} stay as they are.
     */
    static Tensor expandFrom(Tensor t, int from, long... sizes) {
        long[] s = t.shape();
        long[] target = s.clone();
        boolean change = false;
        for (int i = 0; i < sizes.length; i++) {
            if (s[from + i] != sizes[i]) {
                target[from + i] = sizes[i];
                change = true;
            }
        }
        return change ? t.broadcastTo(target) : t;
    }

    /** The product of the first {@code lead} dimensions of {@code t}. */
    static long leadCount(Tensor t, int lead) {
        return Shapes.numel(Arrays.copyOf(t.shape(), lead));
    }

    /** The first {@code lead} dimensions of {@code t} followed by {@code rest}. */
    static long[] withLead(Tensor t, int lead, long... rest) {
        return Shapes.concat(Arrays.copyOf(t.shape(), lead), rest);
    }
}
