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
 * leading basis axes {@code R = L * N}, and row {@code r} uses the argmax of sample {@code r % N}.
 * Semantics follow PyTorch ({@code ceil_mode=False}): max pooling pads with {@code -inf} and returns
 * NaN for a window holding one (marking its first NaN); average pooling counts zero padding.
 *
 * <pre>{@code
 * int[] arg = new int[(int) (n * c * oh * ow)];
 * PoolKernel.maxForward(x, spec, y, arg);        // y [N, C, oh, ow]
 * PoolKernel.maxScatter(g, spec, arg, n, gx);    // gx [L*N, C, H, W] = zeros + g at each argmax
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

    /**
     * Max pooling of {@code x [N, C, H, W]} into {@code out [N, C, oh, ow]}; {@code arg} receives
     * each output's window-local index ({@code i * kw + j}) of the first maximum (or first NaN).
     */
    static void maxForward(INDArray x, Pool2dSpec s, INDArray out, int[] arg) {
        long h = x.size(2);
        long w = x.size(3);
        long[] o = s.outputSize("max_pool2d", h, w);
        long planes = x.size(0) * x.size(1);
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = x.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long src = NativeMemory.address(x);
        long dst = NativeMemory.address(out);
        int k = 0;
        for (long plane = 0; plane < planes; plane++) {
            long base = src + plane * h * w * width;
            for (long r = 0; r < o[0]; r++) {
                for (long q = 0; q < o[1]; q++, k++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int bestAt = -1;
                    int firstIn = -1;
                    boolean nan = false;
                    for (int i = 0; i < s.kh() && !nan; i++) {
                        long ir = r * s.sh() - s.ph() + (long) i * s.dh();
                        if (ir < 0 || ir >= h) {
                            continue;
                        }
                        for (int j = 0; j < s.kw(); j++) {
                            long iq = q * s.sw() - s.pw() + (long) j * s.dw();
                            if (iq < 0 || iq >= w) {
                                continue;
                            }
                            int idx = i * s.kw() + j;
                            if (firstIn < 0) {
                                firstIn = idx;
                            }
                            double v = read(u, f, base + (ir * w + iq) * width);
                            if (Double.isNaN(v)) {
                                best = v;
                                bestAt = idx;
                                nan = true;
                                break;
                            }
                            if (v > best) {
                                best = v;
                                bestAt = idx;
                            }
                        }
                    }
                    // a window of -inf only: PyTorch marks its first element
                    arg[k] = bestAt >= 0 ? bestAt : firstIn;
                    write(u, f, dst + (long) k * width, best);
                }
            }
        }
    }

    /**
     * Scatter-adds {@code g [R, C, oh, ow]} into {@code out [R, C, H, W]} (zeroed first) at the
     * recorded maxima of the {@code n} samples ({@code arg} of {@link #maxForward} for
     * {@code [n, C, oh, ow]}; row {@code r} uses sample {@code r % n}).
     */
    static void maxScatter(INDArray g, Pool2dSpec s, int[] arg, long n, INDArray out) {
        long rows = out.size(0);
        long c = out.size(1);
        long h = out.size(2);
        long w = out.size(3);
        long[] o = s.outputSize("max_pool2d", h, w);
        long per = c * o[0] * o[1];
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = g.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long dst = NativeMemory.address(out);
        NativeMemory.zero(dst, out.length(), width);
        long sp = NativeMemory.address(g);
        for (long row = 0; row < rows; row++) {
            int k = (int) ((row % n) * per);
            long base = dst + row * c * h * w * width;
            for (long ch = 0; ch < c; ch++) {
                long plane = base + ch * h * w * width;
                for (long r = 0; r < o[0]; r++) {
                    for (long q = 0; q < o[1]; q++, k++, sp += width) {
                        int idx = arg[k];
                        long ir = r * s.sh() - s.ph() + (long) (idx / s.kw()) * s.dh();
                        long iq = q * s.sw() - s.pw() + (long) (idx % s.kw()) * s.dw();
                        long at = plane + (ir * w + iq) * width;
                        write(u, f, at, read(u, f, at) + read(u, f, sp));
                    }
                }
            }
        }
    }

    /** Gathers {@code t [R, C, H, W]} at the recorded maxima into {@code out [R, C, oh, ow]} (row {@code r} uses sample {@code r % n}). */
    static void maxGather(INDArray t, Pool2dSpec s, int[] arg, long n, INDArray out) {
        long rows = t.size(0);
        long c = t.size(1);
        long h = t.size(2);
        long w = t.size(3);
        long[] o = s.outputSize("max_pool2d", h, w);
        long per = c * o[0] * o[1];
        Unsafe u = NativeMemory.UNSAFE;
        boolean f = t.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long src = NativeMemory.address(t);
        long dp = NativeMemory.address(out);
        for (long row = 0; row < rows; row++) {
            int k = (int) ((row % n) * per);
            long base = src + row * c * h * w * width;
            for (long ch = 0; ch < c; ch++) {
                long plane = base + ch * h * w * width;
                for (long r = 0; r < o[0]; r++) {
                    for (long q = 0; q < o[1]; q++, k++, dp += width) {
                        int idx = arg[k];
                        long ir = r * s.sh() - s.ph() + (long) (idx / s.kw()) * s.dh();
                        long iq = q * s.sw() - s.pw() + (long) (idx % s.kw()) * s.dw();
                        write(u, f, dp, read(u, f, plane + (ir * w + iq) * width));
                    }
                }
            }
        }
    }

    /** Average pooling (zero padding counted, divided by {@code kh * kw}) of {@code x [R, C, H, W]} into {@code out [R, C, oh, ow]}. */
    static void avgForward(INDArray x, Pool2dSpec s, INDArray out) {
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
