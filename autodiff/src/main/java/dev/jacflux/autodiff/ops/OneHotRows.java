package dev.jacflux.autodiff.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Recognises a left GEMM operand whose rows are rows of the identity (exactly one 1 per row, zeros
 * elsewhere), as the first cotangents of a Jacobian are. A product with such a matrix is a copy of
 * rows of the right operand, so the GEMM of a one-hot seed block (a dense {@code K x D x n}
 * product) becomes a gather of {@code K} rows. Nothing is tagged: the check looks at the values,
 * so every rule that multiplies a seed benefits, and it gives up after a few elements (or one
 * reduction) on ordinary dense data. Only products large enough for the check to pay are tested.
 *
 * <pre>{@code
 * int[] cols = OneHotRows.columnsOf(seed2d, m);   // column of the 1 in each row, or null
 * }</pre>
 */
public final class OneHotRows {
    /** Products smaller than this many multiply-adds are not worth checking. */
    static final long MIN_WORK = 1L << 21;

    private OneHotRows() {
    }

    /**
     * The column of the single 1 in each row of the 2-D {@code a}, or {@code null} if {@code a} is
     * not a block of identity rows or the product with an {@code [n, m]} right operand is too small
     * to bother. A remembered seed block ({@link IdentityRows}) is recognised by its memory; other
     * dense arrays are checked in one pass that stops at the first element that is neither 0 nor 1.
     */
    public static int[] columnsOf(INDArray a, long m) {
        long k = a.size(0);
        long n = a.size(1);
        if (k == 0 || n == 0 || k * n * m < MIN_WORK) {
            return null;
        }
        int[] known = IdentityRows.columnsOf(a);
        if (known != null) {
            return known;
        }
        // cheap early exit on dense data: the first few elements must be 0 or 1
        long probe = Math.min(8, n);
        for (long j = 0; j < probe; j++) {
            double v = a.getDouble(0, j);
            if (v != 0.0 && v != 1.0) {
                return null;
            }
        }
        if (NativeMemory.AVAILABLE && NativeMemory.isDense(a) && k < Integer.MAX_VALUE) {
            return scan(a, (int) k, n);
        }
        INDArray idx = columns(a);
        return idx == null ? null : toInts(idx);
    }

    /**
     * The column index of the single 1 in each row of the 2-D {@code a} (as a {@code [K]} long
     * array), or {@code null}: {@link #columnsOf} as an array.
     */
    public static INDArray columns(INDArray a, long m) {
        int[] cols = columnsOf(a, m);
        if (cols == null) {
            return null;
        }
        long[] l = new long[cols.length];
        for (int i = 0; i < cols.length; i++) {
            l[i] = cols[i];
        }
        return Nd4j.createFromArray(l);
    }

    /** One pass over dense memory: each row must hold exactly one 1 and zeros elsewhere. */
    private static int[] scan(INDArray a, int k, long n) {
        sun.misc.Unsafe u = NativeMemory.UNSAFE;
        boolean f = a.dataType() == DataType.FLOAT;
        int width = f ? 4 : 8;
        long at = NativeMemory.address(a);
        int[] cols = new int[k];
        for (int r = 0; r < k; r++) {
            int col = -1;
            for (long j = 0; j < n; j++, at += width) {
                double v = f ? u.getFloat(at) : u.getDouble(at);
                if (v == 0.0) {
                    continue;
                }
                if (v != 1.0 || col >= 0) {
                    return null;
                }
                col = (int) j;
            }
            if (col < 0) {
                return null;
            }
            cols[r] = col;
        }
        return cols;
    }

    /** The column of the 1 in each row (as a {@code [K]} long array) by ND4J reductions, or null. */
    private static INDArray columns(INDArray a) {
        long k = a.size(0);
        // entries in [0, 1], every row's maximum 1 and the total k: each row holds exactly one 1
        if (a.minNumber().doubleValue() < 0.0 || a.maxNumber().doubleValue() != 1.0) {
            return null;
        }
        if (a.sumNumber().doubleValue() != k) {
            return null;
        }
        if (a.max(1).minNumber().doubleValue() != 1.0) {
            return null;
        }
        return Nd4j.argMax(a, 1).castTo(DataType.LONG);
    }

    /** The indices as Java ints. */
    static int[] toInts(INDArray idx) {
        long[] l = idx.toLongVector();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }
}
