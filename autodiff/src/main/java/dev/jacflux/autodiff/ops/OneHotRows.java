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
 * INDArray cols = OneHotRows.columns(seed2d, m);   // column of the 1 in each row, or null
 * }</pre>
 */
public final class OneHotRows {
    /** Products smaller than this many multiply-adds are not worth checking. */
    static final long MIN_WORK = 1L << 21;

    private OneHotRows() {
    }

    /**
     * The column index of the single 1 in each row of the 2-D {@code a} (as a {@code [K]} long
     * array), or {@code null} if {@code a} is not a block of identity rows or the product with an
     * {@code [n, m]} right operand is too small to bother.
     */
    public static INDArray columns(INDArray a, long m) {
        long k = a.size(0);
        long n = a.size(1);
        if (k == 0 || n == 0 || k * n * m < MIN_WORK) {
            return null;
        }
        // cheap early exit on dense data: the first few elements must be 0 or 1
        long probe = Math.min(8, n);
        for (long j = 0; j < probe; j++) {
            double v = a.getDouble(0, j);
            if (v != 0.0 && v != 1.0) {
                return null;
            }
        }
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
