package dev.jacflux.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The secure bit source: the AES-256 counter-mode keystream, and normal draws from it. */
class AesCtrRandomTest {
    private static byte[] key(int start) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (start + 7 * i);
        }
        return k;
    }

    /**
     * The words are the AES-256 encryptions of the counter blocks 0, 1, 2, ... (big-endian 128-bit
     * counter, NIST SP 800-38A), read as little-endian 64-bit words: checked against the JDK's AES in
     * ECB mode applied to explicit counter blocks, past the first refill of the internal buffer.
     */
    @Test
    void wordsAreTheAesCounterModeKeystream() throws Exception {
        byte[] key = key(3);
        AesCtrRandom rng = AesCtrRandom.withKey(key);
        int blocks = 5000;   // 80000 bytes: more than two internal refills
        byte[] counters = new byte[16 * blocks];
        for (int b = 0; b < blocks; b++) {
            ByteBuffer.wrap(counters, 16 * b, 16).order(ByteOrder.BIG_ENDIAN).putLong(0L).putLong(b);
        }
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        ByteBuffer stream = ByteBuffer.wrap(ecb.doFinal(counters)).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w < 2 * blocks; w++) {
            assertEquals(stream.getLong(8 * w), rng.nextLong(), "word " + w);
        }
    }

    @Test
    void freshGeneratorsDiffer() {
        long[] a = new long[4];
        long[] b = new long[4];
        AesCtrRandom ra = AesCtrRandom.fromSecureRandom();
        AesCtrRandom rb = AesCtrRandom.fromSecureRandom();
        for (int i = 0; i < 4; i++) {
            a[i] = ra.nextLong();
            b[i] = rb.nextLong();
        }
        assertFalse(Arrays.equals(a, b));
        assertArrayEquals(new long[] {AesCtrRandom.withKey(key(1)).nextLong()}, new long[] {AesCtrRandom.withKey(key(1)).nextLong()});
    }

    /** The ziggurat on AES words is standard normal (fixed key, so deterministic): moments, tails and Kolmogorov-Smirnov. */
    @Test
    void normalDrawsFromTheSecureStreamAreStandardNormal() {
        int n = 200_000;
        double[] v = GaussianNoise.sample(AesCtrRandom.withKey(key(9)), n, 1.0, DataType.DOUBLE).toDoubleVector();
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / n;
        assertEquals(0, mean, 4 / Math.sqrt(n), "mean");
        assertEquals(1, var, 0.01, "variance");
        Arrays.sort(v);
        double ks = 0;
        for (int i = 0; i < n; i++) {
            double c = 0.5 * erfc(-v[i] / Math.sqrt(2));
            ks = Math.max(ks, Math.max((i + 1.0) / n - c, c - (double) i / n));
        }
        assertTrue(ks < 1.63 / Math.sqrt(n), "Kolmogorov-Smirnov statistic " + ks);
        long beyond3 = Arrays.stream(v).filter(x -> Math.abs(x) > 3).count();
        double expected = n * 0.0026997960632601866;   // P(|Z| > 3)
        assertEquals(expected, beyond3, 5 * Math.sqrt(expected));
    }

    /** erfc by the continued fraction / series (W. H. Press et al., Numerical Recipes, erfcc; |error| < 1.2e-7). */
    private static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t
                * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
