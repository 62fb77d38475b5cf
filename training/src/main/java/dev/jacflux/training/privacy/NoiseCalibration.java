package dev.jacflux.training.privacy;

/**
 * The inverse of the accountant: the noise multiplier {@code sigma} that reaches a target epsilon
 * for a sampling rate, a number of steps and a delta, by the bisection of Opacus's
 * {@code get_noise_multiplier}: start from {@code sigma_low = 0, sigma_high = 10}, double
 * {@code sigma_high} until {@code epsilon(sigma_high) <= target}, then bisect while
 * {@code target - epsilon(sigma_high) > tolerance}. The answer is {@code sigma_high}: its epsilon never
 * exceeds the target and is within {@code tolerance} of it (epsilon falls continuously as sigma
 * grows). Opacus's default tolerance is 0.01; JacFlux's is {@value #DEFAULT_TOLERANCE}.
 *
 * <pre>{@code
 * double sigma = NoiseCalibration.noiseMultiplier(8.0, 0.04, 2250, 1e-5);   // ~1.415
 * }</pre>
 */
public final class NoiseCalibration {
    /** The default epsilon tolerance of the bisection. */
    public static final double DEFAULT_TOLERANCE = 1e-3;
    /** Beyond this noise multiplier the budget is reported as unreachable (as Opacus's {@code MAX_SIGMA}). */
    public static final double MAX_SIGMA = 1e6;

    private NoiseCalibration() {
    }

    /** {@link #noiseMultiplier(double, double, long, double, double)} with {@link #DEFAULT_TOLERANCE}. */
    public static double noiseMultiplier(double targetEpsilon, double sampleRate, long steps, double delta) {
        return noiseMultiplier(targetEpsilon, sampleRate, steps, delta, DEFAULT_TOLERANCE);
    }

    /**
     * The smallest noise multiplier found by bisection whose epsilon is at most
     * {@code targetEpsilon} and within {@code tolerance} of it.
     *
     * @throws IllegalArgumentException for a target {@code <= 0}, {@code q} outside {@code (0, 1]},
     *     {@code steps < 1}, delta outside {@code (0, 1)}, a tolerance {@code <= 0}, or a budget that
     *     needs a noise multiplier above {@link #MAX_SIGMA}
     */
    public static double noiseMultiplier(double targetEpsilon, double sampleRate, long steps, double delta, double tolerance) {
        if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
            throw new IllegalArgumentException("noise calibration: the target epsilon must be a finite number > 0, got " + targetEpsilon);
        }
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw new IllegalArgumentException("noise calibration: the sampling rate must lie in (0, 1], got " + sampleRate);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("noise calibration: steps must be >= 1, got " + steps);
        }
        RdpConversion.checkDelta(delta);
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("noise calibration: the tolerance must be > 0, got " + tolerance);
        }
        double low = 0;
        double high = 10;
        double epsHigh = Double.POSITIVE_INFINITY;
        while (epsHigh > targetEpsilon) {
            high *= 2;
            if (high > MAX_SIGMA) {
                throw new IllegalArgumentException("noise calibration: the privacy budget epsilon = " + targetEpsilon + " (delta = " + delta
                        + ") is too low for " + steps + " steps at sampling rate " + sampleRate + ": even sigma = " + MAX_SIGMA
                        + " exceeds it");
            }
            epsHigh = RdpAccountant.epsilon(high, sampleRate, steps, delta);
        }
        for (int iteration = 0; targetEpsilon - epsHigh > tolerance; iteration++) {
            if (iteration > 200) {
                throw new IllegalStateException("noise calibration: bisection did not reach the tolerance " + tolerance);
            }
            double mid = (low + high) / 2;
            double eps = RdpAccountant.epsilon(mid, sampleRate, steps, delta);
            if (eps < targetEpsilon) {
                high = mid;
                epsHigh = eps;
            } else {
                low = mid;
            }
        }
        return high;
    }
}
