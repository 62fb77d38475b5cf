package dev.jacflux.autodiff.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * Elementwise first-order rules fused into one pass over dense memory ({@link NativeMemory}),
 * where ND4J would make a mask array and then broadcast it over the leading basis axes.
 *
 * <pre>{@code
 * ElementwiseKernel.timesPositive(g, x, out);   // out[l, i] = g[l, i] * (x[i] > 0 ? 1 : 0)
 * }</pre>
 */
final class ElementwiseKernel {
    private ElementwiseKernel() {
    }

    /**
     * {@code out[l, i] = t[l, i] * (x[i] > 0 ? 1 : 0)} for dense {@code t} and {@code out} of
     * {@code L * n} elements and dense {@code x} of {@code n}, one dtype (the ReLU derivative times a
     * cotangent or tangent with leading axes).
     */
    static void timesPositive(INDArray t, INDArray x, INDArray out) {
        long n = x.length();
        long blocks = t.length() / n;
        Unsafe u = NativeMemory.UNSAFE;
        long ta = NativeMemory.address(t);
        long xa = NativeMemory.address(x);
        long oa = NativeMemory.address(out);
        // branch-free: the sign of a Gaussian-like x is unpredictable, and a branch per element measured
        // 5-6 ns/element against 0.6 for the mask computed from the bits (int-indexed inner loops unroll)
        if (x.dataType() == DataType.FLOAT && blocks > 1) {
            timesPositiveBlocks(u, ta, xa, oa, Math.toIntExact(n), blocks);
        } else if (x.dataType() == DataType.FLOAT) {
            int ni = Math.toIntExact(n);
            for (long l = 0; l < blocks; l++) {
                long tb = ta + l * n * 4;
                long ob = oa + l * n * 4;
                for (int i = 0; i < ni; i++) {
                    long off = (long) i << 2;
                    u.putFloat(ob + off, u.getFloat(tb + off) * positiveOne(u.getInt(xa + off)));
                }
            }
        } else {
            int ni = Math.toIntExact(n);
            for (long l = 0; l < blocks; l++) {
                long tb = ta + l * n * 8;
                long ob = oa + l * n * 8;
                for (int i = 0; i < ni; i++) {
                    long off = (long) i << 3;
                    u.putDouble(ob + off, u.getDouble(tb + off) * positiveOne(u.getLong(xa + off)));
                }
            }
        }
    }

    /** Elements per piece of {@link #timesPositiveBlocks}: a piece of each array stays in the first-level cache. */
    static final int MASK_PIECE = 2048;

    /**
     * {@link #timesPositive} for float32 with several blocks (the rows of a Jacobian's cotangent):
     * piece by piece of {@code x}, its mask is made once in a heap array and each block's piece is
     * copied in, multiplied by it in a loop whose arrays share their index (which the JIT
     * vectorises) and copied out; the same products as the plain loop, bit for bit.
     */
    private static void timesPositiveBlocks(Unsafe u, long ta, long xa, long oa, int n, long blocks) {
        float[] mask = new float[Math.min(n, MASK_PIECE)];
        float[] piece = new float[mask.length];
        for (int from = 0; from < n; from += MASK_PIECE) {
            int len = Math.min(MASK_PIECE, n - from);
            for (int i = 0; i < len; i++) {
                mask[i] = positiveOne(u.getInt(xa + ((long) (from + i) << 2)));
            }
            for (long l = 0; l < blocks; l++) {
                long at = (l * n + from) << 2;
                u.copyMemory(null, ta + at, piece, Unsafe.ARRAY_FLOAT_BASE_OFFSET, (long) len << 2);
                for (int i = 0; i < len; i++) {
                    piece[i] = piece[i] * mask[i];
                }
                u.copyMemory(piece, Unsafe.ARRAY_FLOAT_BASE_OFFSET, null, oa + at, (long) len << 2);
            }
        }
    }

    /**
     * {@code x > 0 ? 1f : 0f} for the float with these bits, without a branch: {@code x > 0} exactly
     * when its bits, as an int, lie in {@code (0, +Inf]} (NaNs lie above, negatives and -0 below).
     */
    static float positiveOne(int bits) {
        int y = bits - 1;
        int mask = ~(y >> 31) & ((y - 0x7f800000) >> 31);
        return Float.intBitsToFloat(mask & 0x3f800000);
    }

    /** {@code x > 0 ? 1.0 : 0.0} for the double with these bits, without a branch (as {@link #positiveOne(int)}). */
    static double positiveOne(long bits) {
        long y = bits - 1;
        long mask = ~(y >> 63) & ((y - 0x7ff0000000000000L) >> 63);
        return Double.longBitsToDouble(mask & 0x3ff0000000000000L);
    }

    /** The shortest contiguous run for which {@link #along} loops instead of ND4J's broadcast. */
    static final long MIN_RUN = 16;

    /**
     * {@code out = full op small} (or {@code small op full} when {@code smallFirst}) with {@code small}
     * varying along the consecutive axes {@code dims} of {@code full}: the array viewed as
     * {@code [outer, mid, inner]}, each run of {@code inner} contiguous elements combined with one
     * value of {@code small}. Measured (one thread, float32) 4-9x faster than ND4J's broadcast along
     * axis 1: {@code [128, 6, 24, 24] + [6, 1, 1]} 0.23 against 0.95 ms, {@code [64, 16, 32, 32]}
     * 0.57 against 4.9 ms. Same IEEE operations as ND4J's, element by element.
     *
     * @return false (nothing written) unless the arrays are dense, of one FLOAT or DOUBLE dtype, the
     *     axes consecutive and the runs at least {@link #MIN_RUN} long
     */
    static boolean along(INDArray full, INDArray small, INDArray out, boolean smallFirst, Elementwise.Binary op, int[] dims) {
        DataType dt = full.dataType();
        if (!NativeMemory.AVAILABLE || (dt != DataType.FLOAT && dt != DataType.DOUBLE) || small.dataType() != dt || out.dataType() != dt
                || !NativeMemory.isDense(full) || !NativeMemory.isDense(small) || !NativeMemory.isDense(out)) {
            return false;
        }
        for (int i = 1; i < dims.length; i++) {
            if (dims[i] != dims[i - 1] + 1) {
                return false;
            }
        }
        long[] shape = full.shape();
        long inner = 1;
        for (int i = dims[dims.length - 1] + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long mid = small.length();
        if (inner < MIN_RUN || inner > Integer.MAX_VALUE || full.length() != out.length()) {
            return false;
        }
        long outer = full.length() / (mid * inner);
        int code = switch (op) {
            case ADD -> 0;
            case SUB -> smallFirst ? 2 : 1;
            case MUL -> 3;
            case DIV -> smallFirst ? 5 : 4;
        };
        Unsafe u = NativeMemory.UNSAFE;
        long fa = NativeMemory.address(full);
        long sa = NativeMemory.address(small);
        long oa = NativeMemory.address(out);
        int run = (int) inner;
        if (dt == DataType.FLOAT) {
            long p = 0;
            for (long o = 0; o < outer; o++) {
                for (long m = 0; m < mid; m++, p += (long) run << 2) {
                    float v = u.getFloat(sa + (m << 2));
                    long src = fa + p;
                    long dst = oa + p;
                    switch (code) {
                        case 0 -> {
                            for (int k = 0; k < run; k++) {
                                u.putFloat(dst + ((long) k << 2), u.getFloat(src + ((long) k << 2)) + v);
                            }
                        }
                        case 1 -> {
                            for (int k = 0; k < run; k++) {
                                u.putFloat(dst + ((long) k << 2), u.getFloat(src + ((long) k << 2)) - v);
                            }
                        }
                        case 2 -> {
                            for (int k = 0; k < run; k++) {
                                u.putFloat(dst + ((long) k << 2), v - u.getFloat(src + ((long) k << 2)));
                            }
                        }
                        case 3 -> {
                            for (int k = 0; k < run; k++) {
                                u.putFloat(dst + ((long) k << 2), u.getFloat(src + ((long) k << 2)) * v);
                            }
                        }
                        case 4 -> {
                            for (int k = 0; k < run; k++) {
                                u.putFloat(dst + ((long) k << 2), u.getFloat(src + ((long) k << 2)) / v);
                            }
                        }
                        default -> {
                            for (int k = 0; k < run; k++) {
                                u.putFloat(dst + ((long) k << 2), v / u.getFloat(src + ((long) k << 2)));
                            }
                        }
                    }
                }
            }
        } else {
            long p = 0;
            for (long o = 0; o < outer; o++) {
                for (long m = 0; m < mid; m++, p += (long) run << 3) {
                    double v = u.getDouble(sa + (m << 3));
                    long src = fa + p;
                    long dst = oa + p;
                    for (int k = 0; k < run; k++) {
                        long off = (long) k << 3;
                        double x = u.getDouble(src + off);
                        double r = switch (code) {
                            case 0 -> x + v;
                            case 1 -> x - v;
                            case 2 -> v - x;
                            case 3 -> x * v;
                            case 4 -> x / v;
                            default -> v / x;
                        };
                        u.putDouble(dst + off, r);
                    }
                }
            }
        }
        return true;
    }

    /**
     * {@code out = max(x, 0)} as ND4J's {@code relu} gives it ({@code x < 0 ? +0 : x}: NaN and
     * {@code -0} pass through) for dense {@code x} and {@code out} of one FLOAT or DOUBLE dtype, in one
     * branch-free pass (ND4J: a copy, then the op in place, measured 2-4x slower); float32 piece by
     * piece through a heap array (one thread: {@code [16, 16, 32, 32]} 0.22 -> 0.09 ms,
     * {@code [16, 32, 16, 16]} 0.13 -> 0.03, {@code [128, 6, 24, 24]} 0.28 -> 0.20).
     */
    static void relu(INDArray x, INDArray out) {
        Unsafe u = NativeMemory.UNSAFE;
        long xa = NativeMemory.address(x);
        long oa = NativeMemory.address(out);
        long n = x.length();
        if (x.dataType() == DataType.FLOAT) {
            // piece by piece through a heap array: the same-index loop is vectorised, the native-memory one is not
            int[] piece = new int[(int) Math.min(n, MASK_PIECE)];
            for (long from = 0; from < n; from += MASK_PIECE) {
                int len = (int) Math.min(MASK_PIECE, n - from);
                u.copyMemory(null, xa + (from << 2), piece, Unsafe.ARRAY_INT_BASE_OFFSET, (long) len << 2);
                for (int i = 0; i < len; i++) {
                    piece[i] = keepUnlessNegative(piece[i]);
                }
                u.copyMemory(piece, Unsafe.ARRAY_INT_BASE_OFFSET, null, oa + (from << 2), (long) len << 2);
            }
        } else {
            for (long base = 0; base < n; base += Integer.MAX_VALUE / 8) {
                int count = (int) Math.min(n - base, Integer.MAX_VALUE / 8);
                long src = xa + base * 8;
                long dst = oa + base * 8;
                for (int i = 0; i < count; i++) {
                    long off = (long) i << 3;
                    u.putLong(dst + off, keepUnlessNegative(u.getLong(src + off)));
                }
            }
        }
    }

    /**
     * The bits of {@code x < 0 ? +0f : x} for the float with these bits, without a branch: {@code x < 0}
     * exactly when the bits, as an int, lie in {@code [bits(-MIN_VALUE), bits(-Inf)]}, i.e. when
     * {@code bits + Integer.MAX_VALUE} lies in {@code [0, 0x7f800000)}.
     */
    static int keepUnlessNegative(int bits) {
        int t = bits + Integer.MAX_VALUE;
        int negative = (t - 0x7f800000) & ~t;
        return bits & ~(negative >> 31);
    }

    /** As {@link #keepUnlessNegative(int)} for a double's bits. */
    static long keepUnlessNegative(long bits) {
        long t = bits + Long.MAX_VALUE;
        long negative = (t - 0x7ff0000000000000L) & ~t;
        return bits & ~(negative >> 63);
    }
}
