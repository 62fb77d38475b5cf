package dev.jacflux.autodiff.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise closeness with an absolute and a relative tolerance, and a message that shows where.
 * A NaN or an infinity on either side fails the comparison: a test that expects non-finite values
 * says so with {@link #assertCloseAllowingNonFinite}.
 */
public final class Close {
    private Close() {
    }

    /**
     * Asserts {@code |actual - expected| <= atol + rtol |expected|} everywhere, with equal shapes
     * and only finite values on both sides.
     */
    public static void assertClose(String what, INDArray expected, INDArray actual, double atol, double rtol) {
        compare(what, expected, actual, atol, rtol, false);
    }

    /**
     * As {@link #assertClose}, but a NaN matches a NaN and an infinity the same infinity (for tests
     * of NaN and infinity propagation).
     */
    public static void assertCloseAllowingNonFinite(String what, INDArray expected, INDArray actual, double atol, double rtol) {
        compare(what, expected, actual, atol, rtol, true);
    }

    private static void compare(String what, INDArray expected, INDArray actual, double atol, double rtol, boolean nonFiniteAllowed) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').reshape(expected.length()).toDoubleVector();
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').reshape(actual.length()).toDoubleVector();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double err;
            if (!Double.isFinite(e[i]) || !Double.isFinite(a[i])) {
                boolean same = Double.compare(e[i], a[i]) == 0;
                err = nonFiniteAllowed && same ? 0 : Double.POSITIVE_INFINITY;
            } else {
                err = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
            }
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        if (at >= 0) {
            fail(what + ": element " + at + " expected " + e[at] + " but got " + a[at] + " (atol " + atol + ", rtol " + rtol
                    + (nonFiniteAllowed ? "" : "; non-finite values fail") + ")");
        }
    }

    /** Tolerances suited to float64 results compared with central differences. */
    public static void assertFd(String what, INDArray expected, INDArray actual) {
        assertClose(what, expected, actual, 1e-6, 1e-5);
    }
}
