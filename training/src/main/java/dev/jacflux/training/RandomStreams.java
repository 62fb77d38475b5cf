package dev.jacflux.training;

import dev.jacflux.model.AesCtrRandom;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Where a training's randomness comes from: batch sampling, shuffling and noise each get one
 * generator per step (or per epoch).
 *
 * <ul>
 *   <li>{@link #secure()}: a fresh {@link AesCtrRandom} keyed from a {@link java.security.SecureRandom}
 *       for every request. Nothing is reproducible, nothing needs saving; this is what private
 *       training needs (an attacker who could predict which examples joined a batch, or the noise,
 *       learns more than the accountant allows).</li>
 *   <li>{@link #seeded(long)}: the generator of step {@code t} of stream {@code s} is a
 *       {@link SplittableRandom} seeded with a mix of {@code (seed, s, t)} (the SplitMix64
 *       finaliser), so the randomness of any step follows from the seed and the step number alone:
 *       a resumed run repeats exactly what an uninterrupted run would have drawn. Reproducible,
 *       hence <b>not private</b>.</li>
 * </ul>
 *
 * <pre>{@code
 * RandomStreams r = RandomStreams.seeded(42);
 * RandomGenerator g = r.generator(RandomStreams.Stream.SAMPLING, 17);   // the same on every run
 * long noiseSeed = r.seed(RandomStreams.Stream.NOISE, 17);
 * }</pre>
 */
public final class RandomStreams {
    /** The independent streams of a training. */
    public enum Stream {
        /** Poisson batch membership. */
        SAMPLING,
        /** Shuffling permutations (one per epoch). */
        SHUFFLE,
        /** DP noise. */
        NOISE
    }

    private static final RandomStreams SECURE = new RandomStreams(null);

    private final Long seed;

    private RandomStreams(Long seed) {
        this.seed = seed;
    }

    /** Cryptographically secure, fresh for every request. */
    public static RandomStreams secure() {
        return SECURE;
    }

    /** Reproducible from {@code seed} (not private). */
    public static RandomStreams seeded(long seed) {
        return new RandomStreams(seed);
    }

    /** Whether the streams follow from a seed. */
    public boolean seeded() {
        return seed != null;
    }

    /** The seed (only for seeded streams). */
    public long seed() {
        if (seed == null) {
            throw new IllegalStateException("secure random streams have no seed");
        }
        return seed;
    }

    /** The generator of {@code stream} at {@code index} (a step or an epoch). */
    public RandomGenerator generator(Stream stream, long index) {
        return seed == null ? AesCtrRandom.fromSecureRandom() : new SplittableRandom(seed(stream, index));
    }

    /** The 64-bit seed of {@code stream} at {@code index} (seeded streams only). */
    public long seed(Stream stream, long index) {
        long s = mix(seed() + 0x9E3779B97F4A7C15L * (stream.ordinal() + 1));
        return mix(s + 0xD1B54A32D192ED03L * index);
    }

    /** The SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijection of 64-bit words that mixes every bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return seed == null ? "secure" : "seeded(" + seed + ")";
    }
}
