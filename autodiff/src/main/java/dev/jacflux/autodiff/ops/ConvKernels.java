package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.Arrays;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
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
     * Per-sample weight (and bias) gradients of a convolution, written straight into rows of a
     * result: for every sample {@code b}, {@code rows[b, :O*C*kh*kw] = g[b] [O, P] @ cols(x[b])^T},
     * with the sample's im2col columns made in a small per-thread scratch block just before its
     * GEMM, and {@code biasRows[b, k] = sum_q g[b, k, q]} right after it, while {@code g[b]} is in
     * cache.
     *
     * @param x the layer's input {@code [N, C, H, W]}
     * @param g the output cotangent {@code [N, O, oh, ow]} (any shape with {@code N*O*P} elements)
     * @param o the number of output channels {@code O}
     * @param rows {@code [N, >= O*C*kh*kw]}, unit stride within a row (e.g. a block of columns of the
     *     {@code N x M} matrix)
     * @param biasRows {@code [N, >= O]}, unit stride within a row, or null for no bias
     * @return false (nothing written) if the arrays are not dense float32/float64 of one dtype
     */
    public static boolean perSampleWeightGradients(INDArray x, INDArray g, long o, long kh, long kw, Conv2dSpec s, INDArray rows,
            INDArray biasRows) {
        long n = x.size(0);
        long c = x.size(1);
        long[] out = s.outputSize("conv2d", x.size(2), x.size(3), kh, kw);
        long p = out[0] * out[1];
        long ckk = c * kh * kw;
        INDArray xd = NativeMemory.isDense(x) ? x : x.dup('c');
        INDArray gd = NativeMemory.isDense(g) ? g : g.dup('c');
        if (!rowsFit(rows, n, o * ckk) || (biasRows != null && (!rowsFit(biasRows, n, o) || biasRows.dataType() != rows.dataType()))
                || !BatchedGemm.supports(xd, gd, rows) || gd.length() != n * o * p) {
            return false;
        }
        Im2ColKernel.Geometry geo = new Im2ColKernel.Geometry(x.size(2), x.size(3), kh, kw, s, x.dataType());
        RawGemm gemm = new RawGemm(geo.isFloat);
        int width = geo.width;
        long xA = NativeMemory.address(xd);
        long gA = NativeMemory.address(gd);
        long rA = NativeMemory.address(rows);
        long rowStride = n == 1 ? o * ckk : rows.stride(0);
        long bA = biasRows == null ? 0 : NativeMemory.address(biasRows);
        long biasStride = biasRows == null || n == 1 ? o : biasRows.stride(0);
        sun.misc.Unsafe u = NativeMemory.UNSAFE;
        int run = Math.toIntExact(p);
        try (NativeThreads.Scope wide = NativeThreads.wide(o * ckk, p); ScratchArrays.Lease cols = ScratchArrays.take(x.dataType(), ckk * p)) {
            long sA = NativeMemory.address(cols.array());
            for (long b = 0; b < n; b++) {
                long gb = gA + b * o * p * width;
                geo.im2col(xA + b * c * x.size(2) * x.size(3) * width, sA, c, 0.0);
                gemm.gemm(false, true, o, ckk, p, 1.0, gb, p, sA, p, 0.0, rA + b * rowStride * width, ckk);
                if (biasRows != null) {
                    for (long k = 0; k < o; k++) {
                        double sum = sum(u, geo.isFloat, gb + k * p * width, run, false);
                        long at = bA + (b * biasStride + k) * width;
                        if (geo.isFloat) {
                            u.putFloat(at, (float) sum);
                        } else {
                            u.putDouble(at, sum);
                        }
                    }
                }
            }
        }
        return true;
    }

    /** Whether {@code rows} is {@code [n, >= width]} with unit stride within a row and rows that do not overlap. */
    private static boolean rowsFit(INDArray rows, long n, long width) {
        return rows.rank() == 2 && rows.size(0) == n && rows.size(1) >= width && (rows.size(1) == 1 || rows.stride(1) == 1)
                && (n == 1 || rows.stride(0) >= width);
    }

    /**
     * The squared Frobenius norms of the per-sample weight gradients of a convolution,
     * {@code ||g[b] [O, P] @ cols(x[b])^T||^2} for every sample, each made in a small per-thread
     * scratch block (the sample's columns, then its {@code [O, C*kh*kw]} product) that stays in
     * cache: no batch-sized columns or products; with {@code bias}, also the squared norms of the
     * per-sample bias gradients {@code sum_k (sum_q g[b, k, q])^2}, from {@code g[b]} while it is in
     * cache.
     *
     * @return {@code {weights [N], bias [N] or null}}, or null (nothing computed) if the arrays are
     *     not dense float32/float64 of one dtype
     */
    public static INDArray[] perSampleGradientSquares(INDArray x, INDArray g, long o, long kh, long kw, Conv2dSpec s, boolean bias) {
        long n = x.size(0);
        long c = x.size(1);
        long[] out = s.outputSize("conv2d", x.size(2), x.size(3), kh, kw);
        long p = out[0] * out[1];
        long ckk = c * kh * kw;
        INDArray xd = NativeMemory.isDense(x) ? x : x.dup('c');
        INDArray gd = NativeMemory.isDense(g) ? g : g.dup('c');
        if (!BatchedGemm.supports(xd, gd) || gd.length() != n * o * p) {
            return null;
        }
        Im2ColKernel.Geometry geo = new Im2ColKernel.Geometry(x.size(2), x.size(3), kh, kw, s, x.dataType());
        RawGemm gemm = new RawGemm(geo.isFloat);
        int width = geo.width;
        long xA = NativeMemory.address(xd);
        long gA = NativeMemory.address(gd);
        double[] squares = new double[Math.toIntExact(n)];
        double[] biasSquares = bias ? new double[Math.toIntExact(n)] : null;
        sun.misc.Unsafe u = NativeMemory.UNSAFE;
        int prodLength = Math.toIntExact(o * ckk);
        int run = Math.toIntExact(p);
        try (NativeThreads.Scope wide = NativeThreads.wide(o * ckk, p); ScratchArrays.Lease cols = ScratchArrays.take(x.dataType(), ckk * p);
                ScratchArrays.Lease prod = ScratchArrays.take(x.dataType(), o * ckk)) {
            long sA = NativeMemory.address(cols.array());
            long pA = NativeMemory.address(prod.array());
            for (long b = 0; b < n; b++) {
                long gb = gA + b * o * p * width;
                geo.im2col(xA + b * c * x.size(2) * x.size(3) * width, sA, c, 0.0);
                gemm.gemm(false, true, o, ckk, p, 1.0, gb, p, sA, p, 0.0, pA, ckk);
                squares[(int) b] = sum(u, geo.isFloat, pA, prodLength, true);
                if (bias) {
                    double total = 0;
                    for (long k = 0; k < o; k++) {
                        double v = sum(u, geo.isFloat, gb + k * p * width, run, false);
                        // rounded as the stored gradient would be
                        v = geo.isFloat ? (float) v : v;
                        total += v * v;
                    }
                    biasSquares[(int) b] = total;
                }
            }
        }
        return new INDArray[] {Nd4j.createFromArray(squares).castTo(x.dataType()),
            bias ? Nd4j.createFromArray(biasSquares).castTo(x.dataType()) : null};
    }

    /**
     * The sum (or the sum of squares) of {@code count} dense elements at {@code at}, with independent
     * partial sums (one running sum waits for each addition's latency), in the elements' own
     * precision.
     */
    static double sum(sun.misc.Unsafe u, boolean isFloat, long at, int count, boolean squares) {
        if (isFloat) {
            return squares ? floatSquares(u, at, count) : floatSum(u, at, count);
        }
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 2 <= count; i += 2) {
            double v0 = u.getDouble(at + ((long) i << 3));
            double v1 = u.getDouble(at + ((long) i << 3) + 8);
            s0 += squares ? v0 * v0 : v0;
            s1 += squares ? v1 * v1 : v1;
        }
        if (i < count) {
            double v = u.getDouble(at + ((long) i << 3));
            s0 += squares ? v * v : v;
        }
        return s0 + s1;
    }

    private static double floatSum(sun.misc.Unsafe u, long at, int count) {
        // float partial sums: converting each element to double chains the conversions (0.7 against 0.2 ns per element)
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = 0;
        for (; i + 8 <= count; i += 8) {
            long a = at + ((long) i << 2);
            s0 += u.getFloat(a);
            s1 += u.getFloat(a + 4);
            s2 += u.getFloat(a + 8);
            s3 += u.getFloat(a + 12);
            s4 += u.getFloat(a + 16);
            s5 += u.getFloat(a + 20);
            s6 += u.getFloat(a + 24);
            s7 += u.getFloat(a + 28);
        }
        for (; i < count; i++) {
            s0 += u.getFloat(at + ((long) i << 2));
        }
        return ((double) s0 + s1) + ((double) s2 + s3) + (((double) s4 + s5) + ((double) s6 + s7));
    }

    private static double floatSquares(sun.misc.Unsafe u, long at, int count) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = 0;
        for (; i + 8 <= count; i += 8) {
            long a = at + ((long) i << 2);
            float v0 = u.getFloat(a);
            float v1 = u.getFloat(a + 4);
            float v2 = u.getFloat(a + 8);
            float v3 = u.getFloat(a + 12);
            float v4 = u.getFloat(a + 16);
            float v5 = u.getFloat(a + 20);
            float v6 = u.getFloat(a + 24);
            float v7 = u.getFloat(a + 28);
            s0 += v0 * v0;
            s1 += v1 * v1;
            s2 += v2 * v2;
            s3 += v3 * v3;
            s4 += v4 * v4;
            s5 += v5 * v5;
            s6 += v6 * v6;
            s7 += v7 * v7;
        }
        for (; i < count; i++) {
            float v = u.getFloat(at + ((long) i << 2));
            s0 += v * v;
        }
        return ((double) s0 + s1) + ((double) s2 + s3) + (((double) s4 + s5) + ((double) s6 + s7));
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
