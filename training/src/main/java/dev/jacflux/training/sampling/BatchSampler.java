package dev.jacflux.training.sampling;

/**
 * Chooses the examples of each training step from a dataset of {@code N} examples. Batches are a
 * function of the step number (and, for seeded samplers, of the seed), so that a resumed training
 * continues exactly where it stopped.
 *
 * <pre>{@code
 * BatchSampler s = new PoissonSampler(60000, 256 / 60000.0, RandomStreams.secure());
 * long[] batch = s.batch(0);   // indices of the examples of step 0, ascending
 * }</pre>
 */
public interface BatchSampler {
    /** The indices (in {@code [0, N)}) of the examples of step {@code step} (0-based). */
    long[] batch(long step);

    /** {@code N}. */
    long datasetSize();

    /** The probability that an example joins a step's batch ({@code q = L / N}). */
    double sampleRate();

    /** The expected batch size {@code L}. */
    long expectedBatchSize();

    /** The steps of {@code epochs} passes over the data (rounded up). */
    long steps(double epochs);

    /** The passes over the data that {@code steps} steps make. */
    double epochs(long steps);

    /**
     * Whether the RDP accountant's analysis (the sampled Gaussian mechanism) covers this sampling:
     * only Poisson sampling is.
     */
    boolean coveredByAccountant();

    /** One line saying what the sampler does, e.g. {@code "Poisson sampling, q = 0.0043"}. */
    String describe();
}
