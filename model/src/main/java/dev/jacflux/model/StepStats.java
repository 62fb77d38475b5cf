package dev.jacflux.model;

/**
 * What one training step saw, before its update.
 *
 * <pre>{@code
 * TrainingStep s = dp.step(model, x, labels, 7L);
 * System.out.printf("loss %.4f, %.0f%% clipped%n", s.stats().meanLoss(), 100 * s.stats().clippedFraction());
 * }</pre>
 *
 * @param samples samples in the batch
 * @param meanLoss mean per-sample loss
 * @param meanGradNorm mean per-sample gradient norm (NaN for a plain step)
 * @param maxGradNorm largest per-sample gradient norm (NaN for a plain step)
 * @param clippedFraction fraction of samples whose gradient was scaled down (NaN for a plain step)
 * @param noiseStd standard deviation of the noise added to the clipped sum ({@code sigma * C}; 0 for a plain step)
 * @param perSampleMatrixBuilt whether the {@code N x M} per-sample gradient matrix was built
 */
public record StepStats(long samples, double meanLoss, double meanGradNorm, double maxGradNorm, double clippedFraction, double noiseStd,
        boolean perSampleMatrixBuilt) {
}
