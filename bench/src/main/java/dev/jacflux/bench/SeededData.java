package dev.jacflux.bench;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The cases' data: Gaussian float32 arrays and integer labels from {@link java.util.Random} with a
 * fixed seed, so that every run, on every machine, sees the same numbers (ND4J's own generator is
 * not used).
 *
 * <pre>{@code
 * INDArray w1 = SeededData.gaussian(11, 1 / Math.sqrt(784), 256, 784);   // N(0, 1/784), float32
 * INDArray labels = SeededData.labels(12, 10, 256);                       // int64 in [0, 10)
 * }</pre>
 */
public final class SeededData {
    private SeededData() {
    }

    /** A float32 array of the given shape with entries drawn from {@code N(0, std^2)}. */
    public static INDArray gaussian(long seed, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        Random r = new Random(seed);
        float[] data = new float[Math.toIntExact(n)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (std * r.nextGaussian());
        }
        return Nd4j.create(data, shape, 'c');
    }

    /** {@code n} class labels in {@code [0, classes)}, as an int64 array {@code [n]}. */
    public static INDArray labels(long seed, int classes, long n) {
        Random r = new Random(seed);
        long[] data = new long[Math.toIntExact(n)];
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextInt(classes);
        }
        return Nd4j.createFromArray(data);
    }

    /** The same array in another dtype (a copy if the dtype differs). */
    public static INDArray as(INDArray a, DataType dtype) {
        return a.dataType() == dtype ? a : a.castTo(dtype);
    }
}
