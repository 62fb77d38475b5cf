package dev.jacflux.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The ziggurat sampler against the standard normal distribution (fixed seeds, so deterministic). */
class GaussianNoiseTest {
    private static final int N = 200_000;

    /** Standard normal CDF via erf (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
    private static double phi(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    @Test
    void drawsFollowTheStandardNormal() {
        SplittableRandom rng = new SplittableRandom(7);
        double[] v = new double[N];
        double sum = 0;
        double sq = 0;
        int beyond3 = 0;
        int tail = 0;
        double tailExcess = 0;
        for (int i = 0; i < N; i++) {
            v[i] = GaussianNoise.next(rng);
            sum += v[i];
            sq += v[i] * v[i];
            beyond3 += Math.abs(v[i]) > 3 ? 1 : 0;
            if (Math.abs(v[i]) > 3.6541528853610088) {
                tail++;
                tailExcess += Math.abs(v[i]) - 3.6541528853610088;
            }
        }
        double mean = sum / N;
        double var = sq / N - mean * mean;
        assertEquals(0, mean, 4 / Math.sqrt(N), "mean");
        assertEquals(1, var, 0.01, "variance");
        double expected3 = 2 * (1 - phi(3)) * N;                 // about 540
        assertEquals(expected3, beyond3, 0.2 * expected3, "draws beyond 3 sigma");
        double expectedTail = 2 * (1 - phi(3.6541528853610088)) * N;   // about 52, drawn by the tail method
        assertEquals(expectedTail, tail, 30, "draws in the tail beyond R");
        double r = 3.6541528853610088;
        double meanExcess = Math.exp(-r * r / 2) / Math.sqrt(2 * Math.PI) / (1 - phi(r)) - r;   // E[|Z| - R | |Z| > R], about 0.25
        assertEquals(meanExcess, tailExcess / tail, 0.15, "shape of the tail");
        Arrays.sort(v);
        double ks = 0;
        for (int i = 0; i < N; i++) {
            double c = phi(v[i]);
            ks = Math.max(ks, Math.max((i + 1.0) / N - c, c - (double) i / N));
        }
        assertTrue(ks < 1.63 / Math.sqrt(N), "Kolmogorov-Smirnov statistic " + ks + " above the 1% critical value " + 1.63 / Math.sqrt(N));
    }

    @Test
    void samplesAreSeededAndScaled() {
        double[] a = GaussianNoise.sample(5, 1000, 2.5, DataType.DOUBLE).toDoubleVector();
        double[] b = GaussianNoise.sample(5, 1000, 2.5, DataType.DOUBLE).toDoubleVector();
        double[] c = GaussianNoise.sample(6, 1000, 2.5, DataType.DOUBLE).toDoubleVector();
        assertArrayEquals(a, b, 0);
        assertFalse(Arrays.equals(a, c));
        SplittableRandom rng = new SplittableRandom(5);
        assertEquals(2.5 * GaussianNoise.next(rng), a[0], 0);
        float[] f = GaussianNoise.sample(5, 1000, 2.5, DataType.FLOAT).toFloatVector();
        assertEquals((float) a[999], f[999], 0);
    }
}
