package dev.jacflux.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the Gaussian noise of a DP-SGD step comes from.
 *
 * <ul>
 *   <li>{@link #secure()} (the default of {@link DpSgd}): every call draws from a fresh
 *       {@link AesCtrRandom} keyed by a {@link java.security.SecureRandom}, so nobody, not even
 *       someone who knows every other input of the step, can regenerate the noise and subtract it.
 *       This is what makes a released model private. Each value is the halved sum of four draws
 *       ({@link GaussianNoise#sampleSummed}), against floating-point attacks on the sampler.</li>
 *   <li>{@link #seeded(long)}: the noise follows from the seed ({@link GaussianNoise#sample(long,
 *       long, double, DataType)}), for reproducible experiments and tests. Anyone who learns the
 *       seed can regenerate the noise of a released step and remove it exactly, so such a training
 *       is <b>not private</b>; {@link #reproducible()} says so and JacFlux's reports print
 *       {@value #NOT_PRIVATE}.</li>
 * </ul>
 * Both use the same ziggurat sampler ({@link GaussianNoise}); they differ in the source of the
 * random bits, and secure noise sums four draws per value.
 *
 * <pre>{@code
 * TrainingStep s = dp.step(model, x, labels, NoiseSource.secure());          // private
 * TrainingStep r = dp.step(model, x, labels, NoiseSource.seeded(1000 + t));  // reproducible, not private
 * INDArray z = NoiseSource.secure().sample(235146, 1.1, DataType.FLOAT);
 * }</pre>
 */
public interface NoiseSource {
    /** What every report of a training with seeded noise says. */
    String NOT_PRIVATE = "not private: seeded noise";

    /**
     * {@code count} independent draws of {@code N(0, std^2)} as a vector of {@code dtype} (FLOAT or
     * DOUBLE).
     */
    INDArray sample(long count, double std, DataType dtype);

    /** Whether the noise can be reproduced from a seed (then a training with it is not private). */
    boolean reproducible();

    /** Noise from a cryptographically secure generator, freshly keyed for every call. */
    static NoiseSource secure() {
        return SecureNoise.INSTANCE;
    }

    /** Noise that follows from {@code seed}: reproducible, hence not private. */
    static NoiseSource seeded(long seed) {
        return new SeededNoise(seed);
    }

    /**
     * Seeded noise: the draws of {@link GaussianNoise#sample(long, long, double, DataType)}.
     *
     * <pre>{@code
     * NoiseSource n = new NoiseSource.SeededNoise(7L);   // same as NoiseSource.seeded(7L)
     * }</pre>
     *
     * @param seed the seed
     */
    record SeededNoise(long seed) implements NoiseSource {
        @Override
        public INDArray sample(long count, double std, DataType dtype) {
            return GaussianNoise.sample(seed, count, std, dtype);
        }

        @Override
        public boolean reproducible() {
            return true;
        }
    }

    /**
     * Secure noise: a fresh {@link AesCtrRandom} per call.
     *
     * <pre>{@code
     * NoiseSource n = NoiseSource.SecureNoise.INSTANCE;   // same as NoiseSource.secure()
     * }</pre>
     */
    enum SecureNoise implements NoiseSource {
        /** The one instance. */
        INSTANCE;

        @Override
        public INDArray sample(long count, double std, DataType dtype) {
            return draw(AesCtrRandom.fromSecureRandom(), count, std, dtype);
        }

        /** The draws of {@link #sample} from the given words: hardened sums ({@link GaussianNoise#sampleSummed}). */
        static INDArray draw(java.util.random.RandomGenerator words, long count, double std, DataType dtype) {
            return GaussianNoise.sampleSummed(words, count, std, dtype);
        }

        @Override
        public boolean reproducible() {
            return false;
        }
    }
}
