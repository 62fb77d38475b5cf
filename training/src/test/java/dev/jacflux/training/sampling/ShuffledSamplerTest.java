package dev.jacflux.training.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jacflux.training.RandomStreams;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Shuffled fixed-size batches: each epoch a permutation, cut into batches; not covered by the accountant. */
class ShuffledSamplerTest {

    @Test
    void everyEpochVisitsEveryExampleOnce() {
        ShuffledSampler s = new ShuffledSampler(103, 10, RandomStreams.seeded(9));
        assertEquals(11, s.steps(1));
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[103];
            for (int b = 0; b < 11; b++) {
                long[] batch = s.batch(epoch * 11L + b);
                assertEquals(b < 10 ? 10 : 3, batch.length);
                for (long i : batch) {
                    seen[(int) i]++;
                }
            }
            int[] once = new int[103];
            Arrays.fill(once, 1);
            assertArrayEquals(once, seen, "epoch " + epoch);
        }
        assertFalse(Arrays.equals(s.batch(0), s.batch(11)), "a new permutation each epoch");
        assertFalse(s.coveredByAccountant());
    }

    @Test
    void seededBatchesFollowFromSeedAndStep() {
        ShuffledSampler a = new ShuffledSampler(50, 8, RandomStreams.seeded(4));
        ShuffledSampler b = new ShuffledSampler(50, 8, RandomStreams.seeded(4));
        long[] x = a.batch(20);
        assertArrayEquals(x, b.batch(20));
        assertEquals(3.0, a.epochs(21), 1e-12, "7 batches per epoch (50 / 8 rounded up)");
    }
}
