package dev.jacflux.pipeline;

/**
 * How one batch's computation may be chunked: rows (or samples) per pass, and the working-memory
 * budget of one chunk (the pipeline divides its configured budget among the chunks it runs at once).
 *
 * <pre>{@code
 * JobLimits limits = new JobLimits(0, 64L << 20);   // automatic chunk size, 64 MiB per chunk
 * }</pre>
 *
 * @param chunkSize rows (Jacobians) or samples (per-sample jobs) per pass; 0 = from the budget
 * @param memoryBudgetBytes working memory of one chunk; 0 = unlimited
 */
public record JobLimits(long chunkSize, long memoryBudgetBytes) {
}
