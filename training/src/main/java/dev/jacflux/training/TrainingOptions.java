package dev.jacflux.training;

import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.model.DpSgd;
import dev.jacflux.model.Loss;
import dev.jacflux.model.ghost.GhostStrategy;
import java.nio.file.Path;

/**
 * How a {@link Trainer} trains: private (DP-SGD) or plain SGD, the step size and momentum, the clip
 * norm and noise (a noise multiplier, or a target epsilon to calibrate one), the expected batch size
 * and the sampling, when to stop (steps, epochs, a target epsilon: whichever comes first), the seed
 * (none: secure randomness), and where and how often to checkpoint.
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.privateTraining(Loss.crossEntropy())   // Poisson sampling, secure noise
 *         .withNoiseMultiplier(1.1).withClipNorm(1.0)
 *         .withBatchSize(256).withLearningRate(0.1)
 *         .withEpochs(5).withDelta(1e-5)
 *         .withCheckpoints(Path.of("run1"), 100);
 * TrainingOptions e = o.withTargetEpsilon(3.0);                  // sigma calibrated for 5 epochs to reach 3.0
 * TrainingOptions p = TrainingOptions.plain(Loss.mse()).withBatchSize(32).withSteps(500).withSeed(7);
 * }</pre>
 *
 * @param privateTraining DP-SGD (clipping, noise, accounting) or plain SGD
 * @param loss the per-sample loss
 * @param learningRate step size {@code > 0}
 * @param momentum heavy-ball momentum in {@code [0, 1)} (PyTorch's SGD: {@code v = mu v + g, theta -= lr v})
 * @param clipNorm per-sample clip norm {@code C > 0}
 * @param noiseMultiplier {@code sigma >= 0} (noise std {@code sigma C}); NaN to calibrate from {@code targetEpsilon}
 * @param targetEpsilon stop before epsilon would exceed it (and, without a noise multiplier, calibrate one); NaN for none
 * @param delta the delta of the reported epsilon, in {@code (0, 1)}
 * @param batchSize the expected batch size {@code L} ({@code q = L / N} under Poisson sampling); the
 *     noisy sum is divided by {@code L}, as Opacus does
 * @param sampling the sampling; null for the default (Poisson for private training, shuffled for plain)
 * @param maxSteps stop after this many steps in total (0: no limit)
 * @param maxEpochs stop after this many passes over the data (0: no limit)
 * @param seed null for secure randomness (private); a seed makes sampling and noise reproducible, and
 *     then the training is not private
 * @param method ghost clipping or the explicit per-sample matrix
 * @param strategy ghost norms of conv layers
 * @param perSample chunking of the per-sample passes
 * @param checkpointDirectory where checkpoints go (null: none)
 * @param checkpointEvery write a checkpoint every this many steps (and at the end)
 * @param name a name for the meters' {@code training} tag
 */
public record TrainingOptions(boolean privateTraining, Loss loss, double learningRate, double momentum, double clipNorm, double noiseMultiplier,
        double targetEpsilon, double delta, long batchSize, Sampling sampling, long maxSteps, double maxEpochs, Long seed, DpSgd.Method method,
        GhostStrategy strategy, PerSampleOptions perSample, Path checkpointDirectory, long checkpointEvery, String name) {

    /**
     * How batches are drawn.
     *
     * <pre>{@code
     * TrainingOptions o = options.withSampling(TrainingOptions.Sampling.SHUFFLE);   // not covered by the accountant
     * }</pre>
     */
    public enum Sampling {
        /** Each example joins independently with probability {@code q = L / N} (the accountant's assumption). */
        POISSON,
        /** Shuffled fixed-size batches, one pass per epoch (not covered by the accountant). */
        SHUFFLE
    }

    /** The default expected batch size. */
    public static final long DEFAULT_BATCH_SIZE = 64;
    /** The default delta. */
    public static final double DEFAULT_DELTA = 1e-5;
    /** The default checkpoint interval in steps. */
    public static final long DEFAULT_CHECKPOINT_EVERY = 100;

    public TrainingOptions {
        if (loss == null) {
            throw new TrainingException("training options: the loss must not be null");
        }
        requireFinitePositive("learning rate", learningRate);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new TrainingException("training options: momentum must lie in [0, 1), got " + momentum);
        }
        requireFinitePositive("clip norm", clipNorm);
        if (!Double.isNaN(noiseMultiplier) && (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier))) {
            throw new TrainingException("training options: the noise multiplier must be a finite number >= 0, got " + noiseMultiplier);
        }
        if (!Double.isNaN(targetEpsilon) && (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon))) {
            throw new TrainingException("training options: the target epsilon must be a finite number > 0, got " + targetEpsilon);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new TrainingException("training options: delta must lie in (0, 1), got " + delta);
        }
        if (batchSize < 1) {
            throw new TrainingException("training options: the batch size must be >= 1, got " + batchSize);
        }
        if (maxSteps < 0) {
            throw new TrainingException("training options: steps must be >= 0 (0: no limit), got " + maxSteps);
        }
        if (!(maxEpochs >= 0) || Double.isInfinite(maxEpochs)) {
            throw new TrainingException("training options: epochs must be a finite number >= 0 (0: no limit), got " + maxEpochs);
        }
        if (method == null || strategy == null || perSample == null) {
            throw new TrainingException("training options: method, strategy and per-sample options must not be null");
        }
        if (checkpointEvery < 1) {
            throw new TrainingException("training options: the checkpoint interval must be >= 1 step, got " + checkpointEvery);
        }
        name = name == null || name.isBlank() ? "training" : name;
    }

    private static void requireFinitePositive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new TrainingException("training options: the " + what + " must be a finite number > 0, got " + v);
        }
    }

    /** DP-SGD: noise multiplier 1.0, clip norm 1.0, lr 0.1, batch 64, delta 1e-5, Poisson sampling, secure randomness; no stop yet. */
    public static TrainingOptions privateTraining(Loss loss) {
        return new TrainingOptions(true, loss, 0.1, 0, 1.0, 1.0, Double.NaN, DEFAULT_DELTA, DEFAULT_BATCH_SIZE, null, 0, 0, null,
                DpSgd.Method.GHOST, GhostStrategy.AUTO, PerSampleOptions.DEFAULT, null, DEFAULT_CHECKPOINT_EVERY, "training");
    }

    /** Plain SGD: lr 0.1, batch 64, shuffled batches, secure randomness; no stop yet. */
    public static TrainingOptions plain(Loss loss) {
        return privateTraining(loss).withPrivateTraining(false);
    }

    /** Private or plain. */
    public TrainingOptions withPrivateTraining(boolean p) {
        return new TrainingOptions(p, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another step size. */
    public TrainingOptions withLearningRate(double lr) {
        return new TrainingOptions(privateTraining, loss, lr, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another momentum. */
    public TrainingOptions withMomentum(double m) {
        return new TrainingOptions(privateTraining, loss, learningRate, m, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another clip norm. */
    public TrainingOptions withClipNorm(double c) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, c, noiseMultiplier, targetEpsilon, delta, batchSize, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** A fixed noise multiplier (NaN: calibrate from the target epsilon). */
    public TrainingOptions withNoiseMultiplier(double sigma) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, sigma, targetEpsilon, delta, batchSize, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /**
     * A target epsilon: the training stops before epsilon would exceed it. Also clears the noise
     * multiplier, which is then calibrated so that the planned steps (or epochs) reach the target;
     * call {@link #withNoiseMultiplier} afterwards to keep a fixed one.
     */
    public TrainingOptions withTargetEpsilon(double eps) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, Double.NaN, eps, delta, batchSize, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another delta. */
    public TrainingOptions withDelta(double d) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, d, batchSize, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another expected batch size. */
    public TrainingOptions withBatchSize(long l) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, l, sampling,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another sampling. */
    public TrainingOptions withSampling(Sampling s) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize, s,
                maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Stop after {@code steps} steps in total (0: no limit). */
    public TrainingOptions withSteps(long steps) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, steps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Stop after {@code epochs} passes over the data (0: no limit). */
    public TrainingOptions withEpochs(double epochs) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, maxSteps, epochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Reproducible sampling and noise from {@code s} (not private); null for secure randomness. */
    public TrainingOptions withSeed(Long s) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, maxSteps, maxEpochs, s, method, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another clipping method. */
    public TrainingOptions withMethod(DpSgd.Method m) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, maxSteps, maxEpochs, seed, m, strategy, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Another ghost strategy. */
    public TrainingOptions withStrategy(GhostStrategy s) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, maxSteps, maxEpochs, seed, method, s, perSample, checkpointDirectory, checkpointEvery, name);
    }

    /** Other chunking of the per-sample passes. */
    public TrainingOptions withPerSample(PerSampleOptions o) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, maxSteps, maxEpochs, seed, method, strategy, o, checkpointDirectory, checkpointEvery, name);
    }

    /** Checkpoints in {@code directory} every {@code every} steps (and at the end); null directory: none. */
    public TrainingOptions withCheckpoints(Path directory, long every) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, maxSteps, maxEpochs, seed, method, strategy, perSample, directory, every, name);
    }

    /** Another name (the meters' {@code training} tag). */
    public TrainingOptions withName(String n) {
        return new TrainingOptions(privateTraining, loss, learningRate, momentum, clipNorm, noiseMultiplier, targetEpsilon, delta, batchSize,
                sampling, maxSteps, maxEpochs, seed, method, strategy, perSample, checkpointDirectory, checkpointEvery, n);
    }

    /** The sampling in effect: the given one, else Poisson for private training and shuffled batches for plain. */
    public Sampling effectiveSampling() {
        return sampling != null ? sampling : privateTraining ? Sampling.POISSON : Sampling.SHUFFLE;
    }

    /** The randomness: seeded or secure. */
    public RandomStreams randomStreams() {
        return seed == null ? RandomStreams.secure() : RandomStreams.seeded(seed);
    }
}
