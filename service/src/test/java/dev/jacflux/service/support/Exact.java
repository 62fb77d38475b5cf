package dev.jacflux.service.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Value-for-value comparison (ND4J's {@code equals} allows 1e-5). */
public final class Exact {
    private Exact() {
    }

    /** Same shape, same dtype, every element bitwise equal. */
    public static void assertSameValues(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dataType(), actual.dataType(), what + ": dtype");
        double[] e = expected.dup('c').reshape(expected.length()).toDoubleVector();
        double[] a = actual.dup('c').reshape(actual.length()).toDoubleVector();
        int differ = 0;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(a[i])) {
                differ++;
                worst = Math.max(worst, Math.abs(e[i] - a[i]));
            }
        }
        if (differ > 0) {
            fail(what + ": " + differ + " of " + e.length + " values differ, by up to " + worst);
        }
    }

    /** Same shape and dtype, and every value within {@code relative * max|expected|} (a few ULPs of the largest value). */
    public static void assertClose(INDArray expected, INDArray actual, double relative, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = Math.max(1e-30, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual.castTo(expected.dataType())).amaxNumber().doubleValue();
        if (!(diff <= relative * scale)) {
            fail(what + ": values differ by up to " + diff + " (largest value " + scale + ", allowed " + relative * scale + ")");
        }
    }

    /** The rows {@code [start, end)} of {@code a} (first axis). */
    public static INDArray rows(INDArray a, long start, long end) {
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        idx[0] = org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end);
        for (int i = 1; i < idx.length; i++) {
            idx[i] = org.nd4j.linalg.indexing.NDArrayIndex.all();
        }
        return a.get(idx).dup('c');
    }

    /** {@code f} applied to each batch of {@code batch} rows of {@code x} (and of {@code t}, if given), concatenated. */
    public static INDArray perBatch(INDArray x, INDArray t, int batch, java.util.function.BiFunction<INDArray, INDArray, INDArray> f) {
        java.util.List<INDArray> parts = new java.util.ArrayList<>();
        for (long s = 0; s < x.size(0); s += batch) {
            long e = Math.min(x.size(0), s + batch);
            parts.add(f.apply(rows(x, s, e), t == null ? null : rows(t, s, e)));
        }
        return org.nd4j.linalg.factory.Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }
}
