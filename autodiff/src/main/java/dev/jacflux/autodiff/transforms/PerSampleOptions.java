package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;

/**
 * How per-sample computations are split: samples per reverse pass, or the largest number whose
 * estimated working memory fits a budget.
 *
 * <pre>{@code
 * PerSampleOptions o = PerSampleOptions.DEFAULT.withMemoryBudget(256L << 20);   // 256 MiB per pass
 * }</pre>
 *
 * @param samplesPerChunk samples per pass; 0 means all (or as many as the budget allows)
 * @param memoryBudgetBytes working-memory budget of one pass; 0 means unlimited
 */
public record PerSampleOptions(long samplesPerChunk, long memoryBudgetBytes) {
    /** The whole batch in one pass. */
    public static final PerSampleOptions DEFAULT = new PerSampleOptions(0, 0);

    public PerSampleOptions {
        if (samplesPerChunk < 0 || memoryBudgetBytes < 0) {
            throw new AutodiffException("per-sample options: samples per chunk and memory budget must be >= 0, got "
                    + samplesPerChunk + " and " + memoryBudgetBytes);
        }
    }

    public PerSampleOptions withSamplesPerChunk(long n) {
        return new PerSampleOptions(n, memoryBudgetBytes);
    }

    public PerSampleOptions withMemoryBudget(long bytes) {
        return new PerSampleOptions(samplesPerChunk, bytes);
    }
}
