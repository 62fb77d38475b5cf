package dev.jacflux.autodiff.testing;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded random float64 arrays for tests, drawn from a domain where an op is smooth. */
@FunctionalInterface
public interface Gen {
    INDArray sample(Random rnd, long[] shape);

    /** Uniform in [-1, 1]. */
    static Gen uniform() {
        return range(-1, 1);
    }

    /** Uniform in [lo, hi]. */
    static Gen range(double lo, double hi) {
        return (rnd, shape) -> fill(rnd, shape, () -> lo + (hi - lo) * rnd.nextDouble());
    }

    /** Standard normal. */
    static Gen normal() {
        return (rnd, shape) -> fill(rnd, shape, rnd::nextGaussian);
    }

    /** Uniform in [0.5, 2] (logs, square roots, divisors). */
    static Gen positive() {
        return range(0.5, 2.0);
    }

    /** Magnitude in [0.2, 1.5] with a random sign: away from kinks at 0 (relu, abs). */
    static Gen awayFromZero() {
        return (rnd, shape) -> fill(rnd, shape, () -> (0.2 + 1.3 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1));
    }

    /** A fresh float64 array of the shape filled from the supplier. */
    static INDArray fill(Random rnd, long[] shape, java.util.function.DoubleSupplier s) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] data = new double[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = s.getAsDouble();
        }
        return Nd4j.create(data, shape, DataType.DOUBLE).reshape('c', shape);
    }

    /** Seeded uniform [-1, 1] float64 array. */
    static INDArray random(long seed, long... shape) {
        return uniform().sample(new Random(seed), shape);
    }
}
