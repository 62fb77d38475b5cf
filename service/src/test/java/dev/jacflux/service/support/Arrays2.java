package dev.jacflux.service.support;

import dev.jacflux.model.io.Npz;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded arrays and their {@code .npy} bytes. */
public final class Arrays2 {
    private Arrays2() {
    }

    /** Standard normal values of {@code shape} in {@code dtype}, from {@code seed}. */
    public static INDArray randn(long seed, DataType dtype, long... shape) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        return Nd4j.randn(rng, shape).castTo(dtype);
    }

    /** Class indices in {@code [0, classes)} as int64, from {@code seed}. */
    public static INDArray labels(long seed, long n, long classes) {
        java.util.Random r = new java.util.Random(seed);
        long[] v = new long[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt((int) classes);
        }
        return Nd4j.createFromArray(v);
    }

    /** The {@code .npy} bytes of {@code a}. */
    public static byte[] npy(INDArray a) {
        return Npz.toNpy(a);
    }

    /** Decodes {@code .npy} bytes. */
    public static INDArray fromNpy(byte[] bytes) {
        return Npz.fromNpy(bytes, "answer");
    }
}
