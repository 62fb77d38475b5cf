package dev.jacflux.autodiff.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * 2-D max and average pooling as plain loops over dense memory ({@link NativeMemory}), for any
 * window geometry of {@link Pool2dSpec}: the max pool records, per output, the window-local index
 * of its (first) maximum, so that its VJP is a scatter-add of the cotangent and its JVP a gather,
 * instead of a one-hot mask over im2col columns folded back with {@code col2im}.
 *
 * <p>Images are {@code [R, C, H, W]} and pooled values {@code [R, C, oh, ow]}; for cotangents with
 * leading basis axes {@code R = L * N}, and row {@code r} uses the maxima of sample {@code r % N},
 * recorded as offsets within the input plane.
 * Semantics follow PyTorch ({@code ceil_mode=False}): max pooling pads with {@code -inf} and returns
 * NaN for a window holding one (marking its first NaN); average pooling counts zero padding.
 *
 * <pre>{@code
 * int[] arg = new int[(int) (n * c * oh * ow)];
 * PoolKernel.maxForward(x, spec, y, arg);        // y [N, C, oh, ow]
 * PoolKernel.maxScatter(g, arg, n, gx);          // gx [L*N, C, H, W] = zeros + g at each argmax
 * }</pre>
 */
final class PoolKernel {
    private PoolKernel() {
    }

    /** Whether the arrays can be handled here (dense, one dtype, FLOAT or DOUBLE). */
    static boolean supports(INDArray... arrays) {
        if (!NativeMemory.AVAILABLE) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != arrays[0].dataType() || !NativeMemory.isDense(a)) {
                return false;
            }
        }
        return true;
    }

    private static double read(Unsafe u, boolean f, long at) {
        return f ? u.getFloat(at) : u.getDouble(at);
    }

    private static void write(Unsafe u, boolean f, long at, double v) {
        if (f) {
            u.putFloat(at, (float) v);
        } else {
            u.putDouble(at, v);
        }
    }

    /** Per output row (or column): the first valid and one-past-last valid window offsets, {@code [from, to)}. */
    private static int[][] windowRanges(long outSize, int stride, int pad, int k, int dil, long inSize) {
        int[][] r = new int[(int) outSize][2];
        for (int o = 0; o < outSize; o++) {
            int from = k;
            int to = 0;
            for (int i = 0; i < k; i++) {
                long at = (long) o * stride - pad + (long) i * dil;
                if (at >= 0 && at < inSize) {
                    from = Math.min(from, i);
                    to = i + 1;
                }
            }
            r[o][0] = from;
            r[o][1] = Math.max(from, to);
        }
        return r;
    }

    /**
     * Max pooling of {@code x [N, C, H, W]} into {@code out [N, C, oh, ow]}; {@code arg} receives,
     * per output, the offset {@code ir * W + iq} within its input plane of the first maximum (or of
     * the first NaN; of the first element inside the image for a window of {@code -inf} only, as
     * PyTorch).
     */
    static void maxForward(INDArray x, Pool2dSpec s, INDArray out, int[] arg) {
        if (twoByTwo(s)) {
            maxForward2x2(x, out, arg);
            return;
        }
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        long[] o = s.outputSize("max_pool2d", h, w);
        int oh = (int) o[0];
        int ow = (int) o[1];
        long planes = x.size(0) * x.size(1);
        int[][] rows = windowRanges(oh, s.sh(), s.ph(), s.kh(), s.dh(), h);
        int[][] cols = windowRanges(ow, s.sw(), s.pw(), s.kw(), s.dw(), w);
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = x.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long src = NativeMemory.address(x);
        long dst = NativeMemory.address(out);
        int k = 0;
        for (long plane = 0; plane < planes; plane++) {
            long base = src + plane * h * w * width;
            for (int r = 0; r < oh; r++) {
                int i0 = rows[r][0];
                int i1 = rows[r][1];
                int ir0 = r * s.sh() - s.ph();
                for (int q = 0; q < ow; q++, k++) {
                    int j0 = cols[q][0];
                    int j1 = cols[q][1];
                    int iq0 = q * s.sw() - s.pw();
                    int bestAt = (ir0 + i0 * s.dh()) * w + iq0 + j0 * s.dw();
                    double best;
                    if (f) {
                        float m = Float.NEGATIVE_INFINITY;
                        search:
                        for (int i = i0; i < i1; i++) {
                            int rowOff = (ir0 + i * s.dh()) * w + iq0;
                            for (int j = j0; j < j1; j++) {
                                int off = rowOff + j * s.dw();
                                float v = u.getFloat(base + (long) off * 4);
                                if (v > m || v != v) {
                                    m = v;
                                    bestAt = off;
                                    if (v != v) {
                                        break search;
                                    }
                                }
                            }
                        }
                        u.putFloat(dst + (long) k * 4, m);
                    } else {
                        best = Double.NEGATIVE_INFINITY;
                        search:
                        for (int i = i0; i < i1; i++) {
                            int rowOff = (ir0 + i * s.dh()) * w + iq0;
                            for (int j = j0; j < j1; j++) {
                                int off = rowOff + j * s.dw();
                                double v = u.getDouble(base + (long) off * 8);
                                if (v > best || v != v) {
                                    best = v;
                                    bestAt = off;
                                    if (v != v) {
                                        break search;
                                    }
                                }
                            }
                        }
                        u.putDouble(dst + (long) k * 8, best);
                    }
                    arg[k] = bestAt;
                }
            }
        }
    }

    /** Whether the window is 2x2 with stride 2, no padding and no dilation (the most common pool). */
    private static boolean twoByTwo(Pool2dSpec s) {
        return s.kh() == 2 && s.kw() == 2 && s.sh() == 2 && s.sw() == 2 && s.ph() == 0 && s.pw() == 0 && s.dh() == 1 && s.dw() == 1;
    }

    /** {@link #avgForward} for 2x2 windows with stride 2: the mean of four loads per output. */
    private static void avgForward2x2(INDArray x, INDArray out) {
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int oh = h / 2;
        int ow = w / 2;
        long planes = x.size(0) * x.size(1);
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = x.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long src = NativeMemory.address(x);
        long dp = NativeMemory.address(out);
        long down = (long) w * width;
        for (long plane = 0; plane < planes; plane++) {
            long base = src + plane * h * w * width;
            for (int r = 0; r < oh; r++) {
                long a = base + (long) 2 * r * w * width;
                for (int q = 0; q < ow; q++, a += 2L * width, dp += width) {
                    if (f) {
                        u.putFloat(dp, (float) (0.25 * ((double) u.getFloat(a) + u.getFloat(a + 4) + u.getFloat(a + down) + u.getFloat(a + down + 4))));
                    } else {
                        u.putDouble(dp, 0.25 * (u.getDouble(a) + u.getDouble(a + 8) + u.getDouble(a + down) + u.getDouble(a + down + 8)));
                    }
                }
            }
        }
    }

    /** {@link #avgScatter} for 2x2 windows with stride 2: each pixel inside a window gets a quarter of its cotangent. */
    private static void avgScatter2x2(INDArray g, INDArray out) {
        int h = (int) out.size(2);
        int w = (int) out.size(3);
        int oh = h / 2;
        int ow = w / 2;
        long planes = out.size(0) * out.size(1);
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = g.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long dst = NativeMemory.address(out);
        if (h != 2 * oh || w != 2 * ow) {
            NativeMemory.zero(dst, out.length(), width);   // the last row or column lies outside every window
        }
        long sp = NativeMemory.address(g);
        long down = (long) w * width;
        for (long plane = 0; plane < planes; plane++) {
            long base = dst + plane * h * w * width;
            for (int r = 0; r < oh; r++) {
                long a = base + (long) 2 * r * w * width;
                for (int q = 0; q < ow; q++, a += 2L * width, sp += width) {
                    if (f) {
                        // the window's two pixels of a row in one 8-byte store
                        long pair = (Float.floatToRawIntBits(0.25f * u.getFloat(sp)) & 0xffffffffL) * 0x100000001L;
                        u.putLong(a, pair);
                        u.putLong(a + down, pair);
                    } else {
                        double v = 0.25 * u.getDouble(sp);
                        u.putDouble(a, v);
                        u.putDouble(a + 8, v);
                        u.putDouble(a + down, v);
                        u.putDouble(a + down + 8, v);
                    }
                }
            }
        }
    }

    /**
     * {@link #maxForward} for the most common window, 2x2 with stride 2: four loads and a
     * comparison tree per output instead of the general window walk (measured 3x faster). Ties keep
     * the first position in row-major order; a NaN anywhere in the window gives NaN and marks the
     * window's first NaN.
     */
    private static void maxForward2x2(INDArray x, INDArray out, int[] arg) {
        if (x.dataType() == DataType.FLOAT) {
            maxForward2x2Float(x, out, arg);
            return;
        }
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int oh = h / 2;
        int ow = w / 2;
        long planes = x.size(0) * x.size(1);
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = x.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long src = NativeMemory.address(x);
        long dst = NativeMemory.address(out);
        long down = (long) w * width;
        int k = 0;
        for (long plane = 0; plane < planes; plane++) {
            long base = src + plane * h * w * width;
            for (int r = 0; r < oh; r++) {
                int off = 2 * r * w;
                for (int q = 0; q < ow; q++, k++, off += 2) {
                    long a = base + (long) off * width;
                    double v0 = f ? u.getFloat(a) : u.getDouble(a);
                    double v1 = f ? u.getFloat(a + width) : u.getDouble(a + width);
                    double v2 = f ? u.getFloat(a + down) : u.getDouble(a + down);
                    double v3 = f ? u.getFloat(a + down + width) : u.getDouble(a + down + width);
                    // branch-free comparisons (the data makes them unpredictable): 1 where the later element is strictly larger
                    int a1 = later(v0, v1);
                    int a3 = later(v2, v3);
                    double m01 = Math.max(v0, v1);
                    double m23 = Math.max(v2, v3);
                    int at = later(m01, m23);
                    int best = a1 + at * (w + a3 - a1);
                    double m = Math.max(m01, m23);
                    if (m != m) {
                        // NaN: the window's first NaN in row-major order
                        best = v0 != v0 ? 0 : v1 != v1 ? 1 : v2 != v2 ? w : w + 1;
                    }
                    arg[k] = off + best;
                    if (f) {
                        u.putFloat(dst + (long) k * 4, (float) m);
                    } else {
                        u.putDouble(dst + (long) k * 8, m);
                    }
                }
            }
        }
    }

    /**
     * The float32 2x2 window walk on integer keys ({@link #key}) instead of float comparisons: the
     * comparison tree picks the window's position without a branch and the maximum is read back
     * from it (measured about 3x faster than comparing as doubles); windows holding a NaN, rare and
     * so predictable, take the first NaN as before.
     */
    private static void maxForward2x2Float(INDArray x, INDArray out, int[] arg) {
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int oh = h / 2;
        int ow = w / 2;
        long planes = x.size(0) * x.size(1);
        Unsafe u = NativeMemory.UNSAFE;
        long src = NativeMemory.address(x);
        long dst = NativeMemory.address(out);
        long down = (long) w * 4;
        int k = 0;
        for (long plane = 0; plane < planes; plane++) {
            long base = src + plane * h * w * 4;
            for (int r = 0; r < oh; r++) {
                int off = 2 * r * w;
                long a = base + (long) off * 4;
                for (int q = 0; q < ow; q++, k++, off += 2, a += 8) {
                    int b0 = u.getInt(a);
                    int b1 = u.getInt(a + 4);
                    int b2 = u.getInt(a + down);
                    int b3 = u.getInt(a + down + 4);
                    int best;
                    if (isNaN(b0) | isNaN(b1) | isNaN(b2) | isNaN(b3)) {
                        // the window's first NaN in row-major order
                        best = isNaN(b0) ? 0 : isNaN(b1) ? 1 : isNaN(b2) ? w : w + 1;
                    } else {
                        long k0 = key(b0);
                        long k1 = key(b1);
                        long k2 = key(b2);
                        long k3 = key(b3);
                        // 1 where the later element is strictly larger (ties keep the first)
                        int a1 = (int) ((k0 - k1) >>> 63);
                        int a3 = (int) ((k2 - k3) >>> 63);
                        long k01 = k0 + a1 * (k1 - k0);
                        long k23 = k2 + a3 * (k3 - k2);
                        int at = (int) ((k01 - k23) >>> 63);
                        best = at * w + a1 + at * (a3 - a1);
                    }
                    arg[k] = off + best;
                    u.putInt(dst + (long) k * 4, u.getInt(base + (long) (off + best) * 4));
                }
            }
        }
    }

    /** Whether the float with these bits is a NaN. */
    private static boolean isNaN(int bits) {
        return (bits & 0x7fffffff) > 0x7f800000;
    }

    /**
     * An integer ordered as the (non-NaN) float with these bits is: the sign-magnitude bits turned
     * into two's complement order, shifted so that {@code -0} and {@code +0} get the same key.
     */
    private static long key(int bits) {
        return (bits ^ ((bits >> 31) & 0x7fffffff)) + (bits >>> 31);
    }

    /**
     * 1 if {@code b > a}, else 0 (equal values keep the first), from the sign of {@code a - b}
     * without a branch; {@code + 0.0} turns a difference of {@code -0.0} into {@code +0.0}, and
     * {@code inf - inf} (NaN) counts as a tie.
     */
    private static int later(double a, double b) {
        double d = (a - b) + 0.0;
        return (int) (Double.doubleToRawLongBits(d) >>> 63) & (d == d ? 1 : 0);
    }

    /**
     * Scatter-adds {@code g [R, C, oh, ow]} into {@code out [R, C, H, W]} (zeroed first) at the
     * recorded maxima of the {@code n} samples ({@code arg} of {@link #maxForward} for
     * {@code [n, C, oh, ow]}; row {@code r} uses sample {@code r % n}).
     */
    static void maxScatter(INDArray g, int[] arg, long n, INDArray out) {
        long rows = out.size(0);
        long c = out.size(1);
        long hw = out.size(2) * out.size(3);
        long per = g.length() / rows;
        long perPlane = per / c;
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = g.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long dst = NativeMemory.address(out);
        NativeMemory.zero(dst, out.length(), width);
        long sp = NativeMemory.address(g);
        for (long row = 0; row < rows; row++) {
            int k = (int) ((row % n) * per);
            for (long ch = 0; ch < c; ch++) {
                long plane = dst + (row * c + ch) * hw * width;
                if (f) {
                    for (long e = 0; e < perPlane; e++, k++, sp += 4) {
                        long at = plane + (long) arg[k] * 4;
                        u.putFloat(at, u.getFloat(at) + u.getFloat(sp));
                    }
                } else {
                    for (long e = 0; e < perPlane; e++, k++, sp += 8) {
                        long at = plane + (long) arg[k] * 8;
                        u.putDouble(at, u.getDouble(at) + u.getDouble(sp));
                    }
                }
            }
        }
    }

    /** Gathers {@code t [R, C, H, W]} at the recorded maxima into {@code out [R, C, oh, ow]} (row {@code r} uses sample {@code r % n}). */
    static void maxGather(INDArray t, int[] arg, long n, INDArray out) {
        long rows = t.size(0);
        long c = t.size(1);
        long hw = t.size(2) * t.size(3);
        long per = out.length() / rows;
        long perPlane = per / c;
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = t.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long src = NativeMemory.address(t);
        long dp = NativeMemory.address(out);
        for (long row = 0; row < rows; row++) {
            int k = (int) ((row % n) * per);
            for (long ch = 0; ch < c; ch++) {
                long plane = src + (row * c + ch) * hw * width;
                for (long e = 0; e < perPlane; e++, k++, dp += width) {
                    write(u, f, dp, read(u, f, plane + (long) arg[k] * width));
                }
            }
        }
    }

    /** Average pooling (zero padding counted, divided by {@code kh * kw}) of {@code x [R, C, H, W]} into {@code out [R, C, oh, ow]}. */
    static void avgForward(INDArray x, Pool2dSpec s, INDArray out) {
        if (twoByTwo(s)) {
            avgForward2x2(x, out);
            return;
        }
        long h = x.size(2);
        long w = x.size(3);
        long[] o = s.outputSize("avg_pool2d", h, w);
        long planes = x.size(0) * x.size(1);
        double scale = 1.0 / s.windowSize();
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = x.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long src = NativeMemory.address(x);
        long dp = NativeMemory.address(out);
        for (long plane = 0; plane < planes; plane++) {
            long base = src + plane * h * w * width;
            for (long r = 0; r < o[0]; r++) {
                for (long q = 0; q < o[1]; q++, dp += width) {
                    double sum = 0;
                    for (int i = 0; i < s.kh(); i++) {
                        long ir = r * s.sh() - s.ph() + (long) i * s.dh();
                        if (ir < 0 || ir >= h) {
                            continue;
                        }
                        for (int j = 0; j < s.kw(); j++) {
                            long iq = q * s.sw() - s.pw() + (long) j * s.dw();
                            if (iq >= 0 && iq < w) {
                                sum += read(u, f, base + (ir * w + iq) * width);
                            }
                        }
                    }
                    write(u, f, dp, sum * scale);
                }
            }
        }
    }

    /** The adjoint of {@link #avgForward}: {@code out [R, C, H, W]} zeroed, then each {@code g [R, C, oh, ow]} spread over its window divided by {@code kh * kw}. */
    static void avgScatter(INDArray g, Pool2dSpec s, INDArray out) {
        if (twoByTwo(s)) {
            avgScatter2x2(g, out);
            return;
        }
        long h = out.size(2);
        long w = out.size(3);
        long[] o = s.outputSize("avg_pool2d", h, w);
        long planes = out.size(0) * out.size(1);
        double scale = 1.0 / s.windowSize();
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = g.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long dst = NativeMemory.address(out);
        NativeMemory.zero(dst, out.length(), width);
        long sp = NativeMemory.address(g);
        for (long plane = 0; plane < planes; plane++) {
            long base = dst + plane * h * w * width;
            for (long r = 0; r < o[0]; r++) {
                for (long q = 0; q < o[1]; q++, sp += width) {
                    double v = read(u, f, sp) * scale;
                    for (int i = 0; i < s.kh(); i++) {
                        long ir = r * s.sh() - s.ph() + (long) i * s.dh();
                        if (ir < 0 || ir >= h) {
                            continue;
                        }
                        for (int j = 0; j < s.kw(); j++) {
                            long iq = q * s.sw() - s.pw() + (long) j * s.dw();
                            if (iq >= 0 && iq < w) {
                                long at = base + (ir * w + iq) * width;
                                write(u, f, at, read(u, f, at) + v);
                            }
                        }
                    }
                }
            }
        }
    }
}
