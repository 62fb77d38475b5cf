package dev.jacflux.training.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.training.RandomStreams;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Poisson sampling, seeded: batch sizes follow Binomial(N, q), every example joins with probability q,
 * independently of its neighbours. Bounds are 5 standard deviations of the statistic.
 */
class PoissonSamplerTest {

    @ParameterizedTest(name = "N {0}, q {1}")
    @CsvSource({"200, 0.1, 4000", "1000, 0.02, 3000", "50, 0.5, 4000"})
    void batchSizesHaveTheBinomialMeanAndVariance(int n, double q, int steps) {
        PoissonSampler s = new PoissonSampler(n, q, RandomStreams.seeded(11));
        double[] sizes = new double[steps];
        for (int t = 0; t < steps; t++) {
            sizes[t] = s.batch(t).length;
        }
        double mean = Arrays.stream(sizes).average().orElseThrow();
        double var = Arrays.stream(sizes).map(v -> (v - mean) * (v - mean)).sum() / (steps - 1);
        double expMean = n * q;
        double expVar = n * q * (1 - q);
        assertEquals(expMean, mean, 5 * Math.sqrt(expVar / steps), "mean batch size");
        assertEquals(expVar, var, 5 * expVar * Math.sqrt(2.0 / (steps - 1)), "variance of the batch size");
    }

    @Test
    void everyExampleJoinsWithProbabilityQIndependently() {
        int n = 200;
        double q = 0.1;
        int steps = 4000;
        PoissonSampler s = new PoissonSampler(n, q, RandomStreams.seeded(5));
        long[] counts = new long[n];
        long adjacentPairs = 0;
        for (int t = 0; t < steps; t++) {
            long[] b = s.batch(t);
            for (int i = 0; i < b.length; i++) {
                counts[(int) b[i]]++;
                if (i > 0) {
                    assertTrue(b[i] > b[i - 1], "indices ascending and distinct");
                    if (b[i] == b[i - 1] + 1) {
                        adjacentPairs++;
                    }
                }
            }
        }
        double mean = steps * q;
        double sd = Math.sqrt(steps * q * (1 - q));
        double chi2 = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(mean, counts[i], 5 * sd, "example " + i + " joined " + counts[i] + " of " + steps + " batches");
            chi2 += (counts[i] - mean) * (counts[i] - mean) / (mean * (1 - q));
        }
        // chi-square with n degrees of freedom: mean n, sd sqrt(2n)
        assertEquals(n, chi2, 5 * Math.sqrt(2.0 * n), "chi-square of the inclusion counts");
        // independent neighbours: both i and i+1 join with probability q^2
        double pairs = (n - 1) * (double) steps * q * q;
        assertEquals(pairs, adjacentPairs, 5 * Math.sqrt(pairs), "neighbouring examples joining together");
    }

    @Test
    void emptyBatchesHappenAtTheRateOfTheBinomial() {
        int n = 100;
        double q = 0.005;
        int steps = 2000;
        PoissonSampler s = new PoissonSampler(n, q, RandomStreams.seeded(3));
        int empty = 0;
        for (int t = 0; t < steps; t++) {
            empty += s.batch(t).length == 0 ? 1 : 0;
        }
        double p = Math.pow(1 - q, n);
        assertEquals(steps * p, empty, 5 * Math.sqrt(steps * p * (1 - p)));
    }

    @Test
    void seededBatchesFollowFromSeedAndStepAlone() {
        PoissonSampler a = new PoissonSampler(500, 0.05, RandomStreams.seeded(42));
        PoissonSampler b = new PoissonSampler(500, 0.05, RandomStreams.seeded(42));
        long[] a7 = a.batch(7);
        b.batch(3);
        assertArrayEquals(a7, b.batch(7), "the same step gives the same batch, whatever ran before");
        assertFalse(Arrays.equals(a7, a.batch(8)), "different steps differ");
        assertFalse(Arrays.equals(a7, new PoissonSampler(500, 0.05, RandomStreams.seeded(43)).batch(7)), "different seeds differ");
    }

    @Test
    void secureBatchesAreValidAndFresh() {
        PoissonSampler s = new PoissonSampler(10_000, 0.05, RandomStreams.secure());
        long[] first = s.batch(0);
        long[] again = s.batch(0);
        for (long[] b : new long[][] {first, again}) {
            assertEquals(500, b.length, 5 * Math.sqrt(500 * 0.95));
            for (int i = 0; i < b.length; i++) {
                assertTrue(b[i] >= 0 && b[i] < 10_000 && (i == 0 || b[i] > b[i - 1]));
            }
        }
        assertFalse(Arrays.equals(first, again), "secure sampling is not reproducible");
    }

    @Test
    void qOfOneTakesEveryExampleAndEpochsRoundUp() {
        PoissonSampler all = new PoissonSampler(7, 1.0, RandomStreams.seeded(1));
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6}, all.batch(0));
        PoissonSampler s = new PoissonSampler(60000, 256 / 60000.0, RandomStreams.secure());
        assertEquals(14063, s.steps(60), "ceil(60 / q)");
        assertEquals(256, s.expectedBatchSize());
        assertTrue(s.coveredByAccountant());
        assertThrows(IllegalArgumentException.class, () -> new PoissonSampler(10, 0, RandomStreams.secure()));
        assertThrows(IllegalArgumentException.class, () -> new PoissonSampler(0, 0.5, RandomStreams.secure()));
    }
}
