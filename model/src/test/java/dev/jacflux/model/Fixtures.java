package dev.jacflux.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded float64 test data and a closeness assertion that says where it fails. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Standard normal entries from {@code new Random(seed)}, float64. */
    public static INDArray normal(long seed, long... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }

    /** Uniform entries in {@code [lo, hi)}, float64. */
    public static INDArray uniform(long seed, double lo, double hi, long... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }

    /** Class labels in {@code [0, classes)}, int64 {@code [n]}. */
    public static INDArray labels(long seed, int n, int classes) {
        Random r = new Random(seed);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(classes);
        }
        return Nd4j.createFromArray(v);
    }

    /**
     * A float64 model whose every parameter and buffer is random (weights near 1 for norm layers,
     * positive running variances), so that no derivative is trivially zero or one.
     */
    public static Model randomModel(Sequential arch, long seed) {
        List<INDArray> params = new ArrayList<>();
        List<INDArray> buffers = new ArrayList<>();
        long s = seed;
        for (Layer layer : arch.layers()) {
            boolean norm = layer.type().contains("norm");
            for (TensorSpec p : layer.parameters()) {
                INDArray v = normal(s++, p.shape()).muli(0.5);
                params.add(norm && p.key().equals("weight") ? v.addi(1.0) : v);
            }
            for (TensorSpec b : layer.buffers()) {
                buffers.add(b.key().equals("running_var") ? uniform(s++, 0.5, 2.0, b.shape()) : normal(s++, b.shape()).muli(0.3));
            }
        }
        return Model.of(arch, params, buffers);
    }

    /**
     * Asserts {@code |actual - expected| <= atol + rtol |expected|} everywhere, with equal shapes
     * and only finite values on both sides (a NaN or an infinity fails; see
     * {@link #assertCloseAllowingNonFinite}).
     */
    public static void assertClose(String what, INDArray expected, INDArray actual, double atol, double rtol) {
        compare(what, expected, actual, atol, rtol, false);
    }

    /** As {@link #assertClose}, but a NaN matches a NaN and an infinity the same infinity. */
    public static void assertCloseAllowingNonFinite(String what, INDArray expected, INDArray actual, double atol, double rtol) {
        compare(what, expected, actual, atol, rtol, true);
    }

    private static void compare(String what, INDArray expected, INDArray actual, double atol, double rtol, boolean nonFiniteAllowed) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').reshape(expected.length()).toDoubleVector();
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').reshape(actual.length()).toDoubleVector();
        for (int i = 0; i < e.length; i++) {
            boolean ok;
            if (!Double.isFinite(e[i]) || !Double.isFinite(a[i])) {
                ok = nonFiniteAllowed && Double.compare(e[i], a[i]) == 0;
            } else {
                ok = Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
            }
            if (!ok) {
                fail(what + ": element " + i + " expected " + e[i] + " but got " + a[i] + " (atol " + atol + ", rtol " + rtol
                        + (nonFiniteAllowed ? "" : "; non-finite values fail") + ")");
            }
        }
    }

    /** Tight float64 closeness. */
    public static void assertClose(String what, INDArray expected, INDArray actual) {
        assertClose(what, expected, actual, 1e-12, 1e-10);
    }
}
