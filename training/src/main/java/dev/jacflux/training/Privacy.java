package dev.jacflux.training;

/**
 * What a training's epsilon means, in one phrase that every report carries:
 * <ul>
 *   <li>{@code "private"}: DP-SGD with Poisson sampling, secure noise, covered by the accountant;</li>
 *   <li>{@code "not private: seeded noise"}: the noise (and sampling) follow from a seed, so the noise
 *       of a released step can be regenerated and removed; the epsilon shown is what the run would
 *       have had with secure noise;</li>
 *   <li>{@code "not covered by the accountant: shuffled fixed-size batches"}: no epsilon;</li>
 *   <li>{@code "not private: no noise"} (noise multiplier 0) and {@code "not private: plain SGD"}.</li>
 * </ul>
 *
 * <pre>{@code
 * Privacy p = Privacy.of(true, true, false, 1.1);
 * p.describe();      // "not private: seeded noise"
 * p.accounted();     // true: an epsilon is computed
 * }</pre>
 *
 * @param privateTraining DP-SGD rather than plain SGD
 * @param poisson Poisson sampling (the accountant's assumption)
 * @param seeded seeded randomness
 * @param noiseMultiplier the noise multiplier
 */
public record Privacy(boolean privateTraining, boolean poisson, boolean seeded, double noiseMultiplier) {
    /** A status. */
    public static Privacy of(boolean privateTraining, boolean poisson, boolean seeded, double noiseMultiplier) {
        return new Privacy(privateTraining, poisson, seeded, noiseMultiplier);
    }

    /** Whether an epsilon is computed (private training with noise and Poisson sampling, seeded or not). */
    public boolean accounted() {
        return privateTraining && poisson && noiseMultiplier > 0;
    }

    /** Whether the run is private. */
    public boolean isPrivate() {
        return accounted() && !seeded;
    }

    /** The phrase of every report. */
    public String describe() {
        if (!privateTraining) {
            return "not private: plain SGD";
        }
        if (!(noiseMultiplier > 0)) {
            return "not private: no noise";
        }
        if (!poisson) {
            return seeded ? "not private: seeded noise; not covered by the accountant: shuffled fixed-size batches"
                    : "not covered by the accountant: shuffled fixed-size batches";
        }
        return seeded ? dev.jacflux.model.NoiseSource.NOT_PRIVATE : "private";
    }
}
