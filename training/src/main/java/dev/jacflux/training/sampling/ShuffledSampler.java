package dev.jacflux.training.sampling;

import dev.jacflux.training.RandomStreams;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Shuffled fixed-size batches: every epoch is a random permutation of the {@code N} examples cut
 * into batches of {@code L} (the last one smaller when {@code L} does not divide {@code N}). This is
 * how most non-private training samples, and it is <b>not covered</b> by the RDP accountant, whose
 * analysis assumes Poisson sampling: trainings with it report no epsilon.
 *
 * <p>The permutation of epoch {@code e} is drawn (Fisher-Yates) from the stream's generator of
 * index {@code e}; with seeded streams every batch follows from the seed and the step number.
 *
 * <pre>{@code
 * ShuffledSampler s = new ShuffledSampler(1000, 64, RandomStreams.seeded(1));
 * long[] b = s.batch(0);          // 64 distinct indices; steps 0..15 cover every example once
 * }</pre>
 */
public final class ShuffledSampler implements BatchSampler {
    private final long n;
    private final long batchSize;
    private final long perEpoch;
    private final RandomStreams random;
    private long cachedEpoch = -1;
    private int[] permutation;

    /**
     * @param datasetSize {@code N >= 1}
     * @param batchSize {@code L} in {@code [1, N]}
     * @param random where the permutations come from
     */
    public ShuffledSampler(long datasetSize, long batchSize, RandomStreams random) {
        if (datasetSize < 1 || datasetSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shuffled sampler: the dataset size must lie in [1, 2^31 - 9], got " + datasetSize);
        }
        if (batchSize < 1 || batchSize > datasetSize) {
            throw new IllegalArgumentException("shuffled sampler: the batch size must lie in [1, " + datasetSize + "], got " + batchSize);
        }
        this.n = datasetSize;
        this.batchSize = batchSize;
        this.perEpoch = (datasetSize + batchSize - 1) / batchSize;
        this.random = random;
    }

    @Override
    public synchronized long[] batch(long step) {
        long epoch = step / perEpoch;
        if (epoch != cachedEpoch) {
            permutation = permutation(random.generator(RandomStreams.Stream.SHUFFLE, epoch));
            cachedEpoch = epoch;
        }
        int from = (int) ((step % perEpoch) * batchSize);
        int to = (int) Math.min(n, from + batchSize);
        long[] out = new long[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = permutation[i];
        }
        return out;
    }

    private int[] permutation(RandomGenerator rng) {
        int[] p = new int[(int) n];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public long datasetSize() {
        return n;
    }

    @Override
    public double sampleRate() {
        return (double) batchSize / n;
    }

    @Override
    public long expectedBatchSize() {
        return batchSize;
    }

    @Override
    public long steps(double epochs) {
        return (long) Math.ceil(epochs * perEpoch - 1e-9);
    }

    @Override
    public double epochs(long steps) {
        return (double) steps / perEpoch;
    }

    @Override
    public boolean coveredByAccountant() {
        return false;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "shuffled fixed-size batches of %d of %d (%d per epoch)", batchSize, n, perEpoch);
    }
}
