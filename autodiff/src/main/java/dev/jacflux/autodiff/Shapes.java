package dev.jacflux.autodiff;

import java.util.Arrays;

/**
 * Small shape utilities shared by ops and transforms: formatting, element counts and numpy
 * broadcasting.
 *
 * <pre>{@code
 * long[] s = Shapes.broadcast("add", new long[]{4, 1, 3}, new long[]{5, 3}); // [4, 5, 3]
 * String text = Shapes.str(s);                                              // "[4, 5, 3]"
 * }</pre>
 */
public final class Shapes {
    private Shapes() {
    }

    /** Formats a shape as {@code [a, b, c]}. */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }

    /**
     * Whether {@code stride} lays out {@code shape} row-major without gaps (size-1 axes ignored),
     * e.g. {@code isRowMajor(a.shape(), a.stride())} for an ND4J array.
     */
    public static boolean isRowMajor(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Number of elements of a shape (1 for a scalar shape {@code []}). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Number of elements of the dimensions from {@code from} (inclusive) to the end. */
    public static long numel(long[] shape, int from) {
        long n = 1;
        for (int i = from; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Concatenates shapes, e.g. a leading basis shape and a value shape. */
    public static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The dimensions of {@code shape} from {@code from} (inclusive) to {@code to} (exclusive). */
    public static long[] range(long[] shape, int from, int to) {
        return Arrays.copyOfRange(shape, from, to);
    }

    /**
     * The numpy broadcast of two shapes (right-aligned; sizes must agree or be 1).
     *
     * @param op name of the op, used in the error message
     * @throws AutodiffException if the shapes do not broadcast
     */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new AutodiffException(op + ": shapes " + str(a) + " and " + str(b)
                        + " do not broadcast (dimension " + i + " of the result: " + da + " vs " + db
                        + "; sizes must be equal or 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Whether {@code from} broadcasts to exactly {@code to}. */
    public static boolean broadcastsTo(long[] from, long[] to) {
        if (from.length > to.length) {
            return false;
        }
        int off = to.length - from.length;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 1 && from[i] != to[i + off]) {
                return false;
            }
        }
        return true;
    }

    /** Normalises a possibly negative axis for an array of the given rank. */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new AutodiffException(op + ": axis " + axis + " is out of range for rank " + rank);
        }
        return a;
    }

    /** Shape with a leading block of size-1 dimensions so that it has the given rank. */
    public static long[] padLeft(long[] shape, int rank) {
        if (shape.length >= rank) {
            return shape;
        }
        long[] out = new long[rank];
        Arrays.fill(out, 1L);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }
}
