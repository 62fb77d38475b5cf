package dev.jacflux.autodiff.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Elementwise closeness with an absolute and a relative tolerance, and a message that shows where. */
public final class Close {
    private Close() {
    }

    /** Asserts |actual - expected| <= atol + rtol |expected| everywhere, with equal shapes. */
    public static void assertClose(String what, INDArray expected, INDArray actual, double atol, double rtol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        INDArray e = expected.castTo(DataType.DOUBLE).dup('c').reshape(expected.length());
        INDArray a = actual.castTo(DataType.DOUBLE).dup('c').reshape(actual.length());
        double worst = 0;
        long at = -1;
        for (long i = 0; i < e.length(); i++) {
            double ev = e.getDouble(i);
            double av = a.getDouble(i);
            double err = Math.abs(av - ev) - (atol + rtol * Math.abs(ev));
            if (Double.isNaN(av) != Double.isNaN(ev) || err > worst) {
                worst = Double.isNaN(av) != Double.isNaN(ev) ? Double.POSITIVE_INFINITY : err;
                at = i;
            }
        }
        if (at >= 0) {
            fail(what + ": element " + at + " expected " + e.getDouble(at) + " but got " + a.getDouble(at)
                    + " (atol " + atol + ", rtol " + rtol + ")");
        }
    }

    /** Tolerances suited to float64 results compared with central differences. */
    public static void assertFd(String what, INDArray expected, INDArray actual) {
        assertClose(what, expected, actual, 1e-6, 1e-5);
    }
}
