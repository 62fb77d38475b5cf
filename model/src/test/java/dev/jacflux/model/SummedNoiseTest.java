package dev.jacflux.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The hardened draws of secure noise: each value is the halved sum of four standard normal draws of
 * the stream (checked against a plain loop), with the law N(0, std^2) (moments, tails,
 * Kolmogorov-Smirnov); the secure source draws them.
 */
class SummedNoiseTest {
    private static final int N = 200_000;

    /** The standard normal CDF by Numerical Recipes' erfcc (|error| < 1.2e-7). */
    private static double phi(double x) {
        double y = -x / Math.sqrt(2);
        double z = Math.abs(y);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t
                * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return 0.5 * (y >= 0 ? r : 2 - r);
    }

    @Test
    void eachValueIsTheHalvedSumOfFourDrawsOfTheStream() {
        double[] got = GaussianNoise.sampleSummed(new SplittableRandom(11), 1000, 2.5, DataType.DOUBLE).toDoubleVector();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < got.length; i++) {
            double a = GaussianNoise.next(r);
            double b = GaussianNoise.next(r);
            double c = GaussianNoise.next(r);
            double d = GaussianNoise.next(r);
            assertEquals(2.5 * (((a + b) + (c + d)) / 2), got[i], 0, "value " + i);
        }
        float[] f = GaussianNoise.sampleSummed(new SplittableRandom(11), 1000, 2.5, DataType.FLOAT).toFloatVector();
        assertEquals((float) got[999], f[999], 0);
    }

    @Test
    void summedDrawsFollowTheNormalWithTheGivenStd() {
        double std = 1.7;
        double[] v = GaussianNoise.sampleSummed(new SplittableRandom(3), N, std, DataType.DOUBLE).toDoubleVector();
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / N;
        assertEquals(0, mean, 4 * std / Math.sqrt(N), "mean");
        assertEquals(std * std, var, 0.01 * std * std, "variance");
        long beyond3 = Arrays.stream(v).filter(x -> Math.abs(x) > 3 * std).count();
        double expected = N * 0.0026997960632601866;   // P(|Z| > 3)
        assertEquals(expected, beyond3, 5 * Math.sqrt(expected), "draws beyond 3 sigma");
        double[] z = Arrays.stream(v).map(x -> x / std).sorted().toArray();
        double ks = 0;
        for (int i = 0; i < N; i++) {
            double c = phi(z[i]);
            ks = Math.max(ks, Math.max((i + 1.0) / N - c, c - (double) i / N));
        }
        assertTrue(ks < 1.63 / Math.sqrt(N), "Kolmogorov-Smirnov statistic " + ks + " above the 1% critical value");
    }

    /** The secure source draws hardened sums from its (here: fixed-key) AES stream. */
    @Test
    void secureNoiseIsTheHardenedSumOnTheAesStream() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (7 * i + 1);
        }
        double[] got = NoiseSource.SecureNoise.draw(AesCtrRandom.withKey(key), 500, 1.3, DataType.DOUBLE).toDoubleVector();
        AesCtrRandom words = AesCtrRandom.withKey(key.clone());
        for (int i = 0; i < got.length; i++) {
            double a = GaussianNoise.next(words);
            double b = GaussianNoise.next(words);
            double c = GaussianNoise.next(words);
            double d = GaussianNoise.next(words);
            assertEquals(1.3 * (((a + b) + (c + d)) / 2), got[i], 0, "value " + i);
        }
    }
}
