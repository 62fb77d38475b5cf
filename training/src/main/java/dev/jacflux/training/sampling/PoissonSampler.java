package dev.jacflux.training.sampling;

import dev.jacflux.training.RandomStreams;
import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Poisson sampling: every example joins a step's batch independently with probability {@code q},
 * so batch sizes vary (binomial, mean {@code qN}, variance {@code qN(1-q)}) and a batch may be
 * empty. This is the sampling the RDP analysis of DP-SGD assumes (Abadi et al. 2016; Mironov,
 * Talwar and Zhang 2019), so it is the default for private training.
 *
 * <p>The members are drawn by geometric skipping: the gap to the next member is
 * {@code floor(log(U) / log(1-q))} for a uniform {@code U} in {@code (0, 1]}, which gives every
 * example an independent inclusion with probability exactly {@code q} (the geometric law is
 * memoryless) at a cost proportional to the batch, not to {@code N}.
 *
 * <pre>{@code
 * PoissonSampler s = new PoissonSampler(60000, 256 / 60000.0, RandomStreams.seeded(7));
 * long[] b = s.batch(12);              // ascending indices, about 256 of them
 * long steps = s.steps(60);            // ceil(60 / q) = 14063
 * }</pre>
 */
public final class PoissonSampler implements BatchSampler {
    private final long n;
    private final double q;
    private final RandomStreams random;

    /**
     * @param datasetSize {@code N >= 1}
     * @param sampleRate {@code q} in {@code (0, 1]}
     * @param random where the membership draws come from
     */
    public PoissonSampler(long datasetSize, double sampleRate, RandomStreams random) {
        if (datasetSize < 1) {
            throw new IllegalArgumentException("poisson sampler: the dataset must have at least one example, got " + datasetSize);
        }
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw new IllegalArgumentException("poisson sampler: the sampling rate q must lie in (0, 1], got " + sampleRate);
        }
        this.n = datasetSize;
        this.q = sampleRate;
        this.random = random;
    }

    @Override
    public long[] batch(long step) {
        RandomGenerator rng = random.generator(RandomStreams.Stream.SAMPLING, step);
        long[] out = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, (long) (q * n * 1.2) + 16))];
        int size = 0;
        double logKeep = Math.log1p(-q);   // log(1 - q); -inf for q = 1
        long i = -1;
        while (true) {
            double u = 1 - rng.nextDouble();   // (0, 1]
            double gap = q == 1 ? 0 : Math.floor(Math.log(u) / logKeep);
            if (!(i + 1 + gap < n)) {
                break;
            }
            i += 1 + (long) gap;
            if (size == out.length) {
                out = Arrays.copyOf(out, Math.min(Integer.MAX_VALUE - 8, 2 * size));
            }
            out[size++] = i;
        }
        return Arrays.copyOf(out, size);
    }

    @Override
    public long datasetSize() {
        return n;
    }

    @Override
    public double sampleRate() {
        return q;
    }

    @Override
    public long expectedBatchSize() {
        return Math.round(q * n);
    }

    @Override
    public long steps(double epochs) {
        return (long) Math.ceil(epochs / q - 1e-9);
    }

    @Override
    public double epochs(long steps) {
        return steps * q;
    }

    @Override
    public boolean coveredByAccountant() {
        return true;
    }

    @Override
    public String describe() {
        return "Poisson sampling, q = " + compact(q) + String.format(Locale.ROOT, " (expected batch %d of %d)", expectedBatchSize(), n);
    }

    /** Six significant digits without trailing zeros: {@code 0.05}, {@code 0.00426667}. */
    static String compact(double v) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
    }
}
