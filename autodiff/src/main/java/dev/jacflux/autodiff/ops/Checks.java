package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;

/**
 * Argument checks shared by ops, with messages that name the op, the shapes and what was expected.
 *
 * <pre>{@code
 * Checks.sameDtype("add", a, b);       // "add: dtypes differ: FLOAT [2, 3] and DOUBLE [3]"
 * }</pre>
 */
public final class Checks {
    private Checks() {
    }

    /** All tensors share one dtype. */
    public static void sameDtype(String op, Tensor... ts) {
        for (int i = 1; i < ts.length; i++) {
            if (ts[i].dtype() != ts[0].dtype()) {
                throw new AutodiffException(op + ": dtypes differ: " + ts[0].dtype() + " " + Shapes.str(ts[0].shape())
                        + " and " + ts[i].dtype() + " " + Shapes.str(ts[i].shape()) + "; convert one of them first");
            }
        }
    }

    /** The tensor has exactly the given rank. */
    public static void rank(String op, String what, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new AutodiffException(op + ": " + what + " must have rank " + rank + ", got shape " + Shapes.str(t.shape()));
        }
    }

    /** The tensor has at least the given rank. */
    public static void minRank(String op, String what, Tensor t, int rank) {
        if (t.rank() < rank) {
            throw new AutodiffException(op + ": " + what + " must have rank >= " + rank + ", got shape " + Shapes.str(t.shape()));
        }
    }

    /** Normalised, sorted, distinct axes; an empty list means all axes. */
    public static int[] axes(String op, int[] axes, int rank) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[rank];
        int count = 0;
        for (int a : axes) {
            int n = Shapes.axis(op, a, rank);
            if (seen[n]) {
                throw new AutodiffException(op + ": axis " + a + " given twice for rank " + rank);
            }
            seen[n] = true;
            count++;
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < rank; i++) {
            if (seen[i]) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** Axes shifted by {@code lead} (for applying a value-space axis to a cotangent or tangent). */
    public static int[] shift(int[] axes, int lead) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axes[i] + lead;
        }
        return out;
    }
}
