package dev.jacflux.training;

import dev.jacflux.training.privacy.NoiseCalibration;
import dev.jacflux.training.sampling.BatchSampler;
import dev.jacflux.training.sampling.PoissonSampler;
import dev.jacflux.training.sampling.ShuffledSampler;
import java.util.Locale;

/**
 * A training's options resolved against its dataset: the sampler, the sampling rate, the noise
 * multiplier in effect (given, or calibrated so that the planned steps reach the target epsilon),
 * the step limit, and what the epsilon will mean ({@link Privacy}).
 *
 * <pre>{@code
 * TrainingPlan p = trainer.plan();
 * p.noiseMultiplier();   // e.g. 1.0791 when calibrated for epsilon 3 over 5 epochs
 * p.stepLimit();         // steps from --steps / --epochs, Long.MAX_VALUE with only a target epsilon
 * p.privacy().describe();
 * }</pre>
 *
 * @param sampler the batch sampler
 * @param noiseMultiplier sigma in effect (0 for plain SGD)
 * @param calibrated whether sigma was calibrated from the target epsilon
 * @param stepLimit steps after which the training stops ({@code Long.MAX_VALUE}: no step or epoch limit)
 * @param limitFromEpochs whether the limit comes from the epoch option (else from the step option)
 * @param privacy what the epsilon means
 */
public record TrainingPlan(BatchSampler sampler, double noiseMultiplier, boolean calibrated, long stepLimit, boolean limitFromEpochs,
        Privacy privacy) {

    /**
     * Resolves {@code options} for a dataset of {@code datasetSize} examples. {@code fixedSigma}
     * (NaN: none) overrides the options' noise multiplier, for a resumed training that must keep
     * the one it started with.
     *
     * @throws TrainingException for options that cannot work together
     */
    static TrainingPlan resolve(TrainingOptions o, long datasetSize, double fixedSigma) {
        if (o.batchSize() > datasetSize) {
            throw new TrainingException("training options: the batch size " + o.batchSize() + " exceeds the " + datasetSize
                    + " examples of the dataset");
        }
        boolean poisson = o.effectiveSampling() == TrainingOptions.Sampling.POISSON;
        BatchSampler sampler = poisson ? new PoissonSampler(datasetSize, (double) o.batchSize() / datasetSize, o.randomStreams())
                : new ShuffledSampler(datasetSize, o.batchSize(), o.randomStreams());
        long fromSteps = o.maxSteps() > 0 ? o.maxSteps() : Long.MAX_VALUE;
        long fromEpochs = o.maxEpochs() > 0 ? sampler.steps(o.maxEpochs()) : Long.MAX_VALUE;
        long limit = Math.min(fromSteps, fromEpochs);
        boolean hasTarget = !Double.isNaN(o.targetEpsilon());
        if (limit == Long.MAX_VALUE && !hasTarget) {
            throw new TrainingException("training options: no stop condition; set steps, epochs or a target epsilon");
        }
        if (hasTarget && !o.privateTraining()) {
            throw new TrainingException("training options: a target epsilon needs private training (plain SGD has no epsilon)");
        }
        if (hasTarget && !poisson) {
            throw new TrainingException("training options: a target epsilon needs Poisson sampling; the accountant does not cover"
                    + " shuffled fixed-size batches");
        }
        double sigma = 0;
        boolean calibrated = false;
        if (o.privateTraining()) {
            if (!Double.isNaN(fixedSigma)) {
                sigma = fixedSigma;
            } else if (!Double.isNaN(o.noiseMultiplier())) {
                sigma = o.noiseMultiplier();
            } else {
                if (!hasTarget) {
                    throw new TrainingException("training options: set a noise multiplier or a target epsilon");
                }
                if (limit == Long.MAX_VALUE) {
                    throw new TrainingException("training options: calibrating the noise multiplier for the target epsilon "
                            + o.targetEpsilon() + " needs the planned steps or epochs");
                }
                try {
                    sigma = NoiseCalibration.noiseMultiplier(o.targetEpsilon(), sampler.sampleRate(), limit, o.delta());
                } catch (IllegalArgumentException e) {
                    throw new TrainingException("training options: " + e.getMessage(), e);
                }
                calibrated = true;
            }
        }
        Privacy privacy = Privacy.of(o.privateTraining(), poisson, o.seed() != null, sigma);
        return new TrainingPlan(sampler, sigma, calibrated, limit, fromEpochs < fromSteps, privacy);
    }

    /** One line: sampling, noise and privacy, e.g. for a command's header. */
    public String describe() {
        String noise = privacy.privateTraining()
                ? ", noise multiplier " + new java.math.BigDecimal(String.format(Locale.ROOT, "%.5g", noiseMultiplier)).stripTrailingZeros().toPlainString()
                + (calibrated ? " (calibrated)" : "") : "";
        String steps = stepLimit == Long.MAX_VALUE ? "until the target epsilon" : stepLimit + " steps";
        return sampler.describe() + noise + ", " + steps + "; " + privacy.describe();
    }
}
