package dev.jacflux.training.checkpoint;

import dev.jacflux.training.privacy.RdpAccountant;
import java.util.List;

/**
 * The {@code state.json} of a checkpoint: where the training stood (steps, examples seen, the
 * accountant's history, the epsilon so far) and the settings that a resumed training must keep
 * (sampling, dataset size, batch size, clip norm, noise multiplier, learning rate, momentum,
 * randomness). The sampler and the noise need no other state: with a seed, the randomness of step
 * {@code t} follows from the seed and {@code t} ({@link dev.jacflux.training.RandomStreams}); without
 * one it is fresh from a secure source at every step.
 *
 * <pre>{@code
 * {"format": "jacflux-checkpoint/1", "step": 120, "examples_seen": 7714, "private_training": true,
 *  "sampling": "poisson", "dataset_size": 1000, "batch_size": 64, "sample_rate": 0.064, "clip_norm": 1.0,
 *  "noise_multiplier": 1.1, "learning_rate": 0.1, "momentum": 0.0, "delta": 1e-05, "seed": 7, "dtype": "float32",
 *  "accountant": [{"noise_multiplier": 1.1, "sample_rate": 0.064, "steps": 120}], "epsilon": 2.31,
 *  "privacy": "not private: seeded noise"}
 * }</pre>
 *
 * @param step steps done
 * @param examplesSeen examples in all batches so far
 * @param privateTraining DP-SGD or plain SGD
 * @param sampling {@code poisson} or {@code shuffle}
 * @param datasetSize {@code N}
 * @param batchSize {@code L}
 * @param sampleRate {@code q}
 * @param clipNorm {@code C}
 * @param noiseMultiplier {@code sigma} in effect (calibrated or given)
 * @param learningRate step size
 * @param momentum momentum
 * @param delta delta of the epsilon
 * @param seed the seed, or null for secure randomness
 * @param dtype {@code float32} or {@code float64}
 * @param accountant the accountant's history
 * @param epsilon epsilon so far (NaN when not accounted)
 * @param privacy the privacy phrase of the run
 */
public record CheckpointInfo(long step, long examplesSeen, boolean privateTraining, String sampling, long datasetSize, long batchSize,
        double sampleRate, double clipNorm, double noiseMultiplier, double learningRate, double momentum, double delta, Long seed,
        String dtype, List<RdpAccountant.Entry> accountant, double epsilon, String privacy) {
    /** The format string. */
    public static final String FORMAT = "jacflux-checkpoint/1";

    public CheckpointInfo {
        accountant = List.copyOf(accountant);
    }
}
