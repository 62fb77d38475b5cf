package dev.jacflux.training.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The inverse of the accountant: Opacus's published noise multipliers, and the 1e-3 tolerance. */
class NoiseCalibrationTest {

    /**
     * Opacus, opacus/tests/accountants_test.py: {@code get_noise_multiplier(target_epsilon=8,
     * target_delta=1e-5, sample_rate=0.04, epochs=90)} is 1.416 and with {@code steps=2000} it is
     * 1.3562 (both {@code assertAlmostEqual(..., places=4)}), with Opacus's default tolerance 0.01.
     * The same bisection with the same tolerance lands on the same values.
     */
    @ParameterizedTest(name = "{2} steps: sigma {3}")
    @CsvSource({"8, 0.04, 2250, 1.416", "8, 0.04, 2000, 1.3562"})
    void matchesOpacusWithItsTolerance(double eps, double q, long steps, double published) {
        assertEquals(published, NoiseCalibration.noiseMultiplier(eps, q, steps, 1e-5, 0.01), 5e-5);
    }

    /** With the default tolerance the epsilon reached lies in [target - 1e-3, target]. */
    @ParameterizedTest(name = "epsilon {0}, q {1}, {2} steps, delta {3}")
    @CsvSource({"8, 0.04, 2250, 1e-5", "3, 0.004266666666666667, 14063, 1e-5", "1, 0.01, 1000, 1e-6", "0.5, 0.001, 5000, 1e-5",
        "10, 0.1, 100, 1e-4", "2, 1.0, 10, 1e-5"})
    void reachesTheTargetWithinTolerance(double eps, double q, long steps, double delta) {
        double sigma = NoiseCalibration.noiseMultiplier(eps, q, steps, delta);
        double reached = RdpAccountant.epsilon(sigma, q, steps, delta);
        assertTrue(reached <= eps, "epsilon " + reached + " exceeds the target " + eps);
        assertTrue(eps - reached <= NoiseCalibration.DEFAULT_TOLERANCE, "epsilon " + reached + " is more than 1e-3 below " + eps);
    }

    @Test
    void moreStepsNeedMoreNoise() {
        double prev = 0;
        for (long t : new long[] {100, 1000, 10000}) {
            double s = NoiseCalibration.noiseMultiplier(2, 0.01, t, 1e-5);
            assertTrue(s > prev, "steps " + t);
            prev = s;
        }
    }

    @Test
    void rejectsUnreachableBudgetsAndBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoiseCalibration.noiseMultiplier(1e-9, 1.0, 1_000_000, 1e-9));
        assertTrue(e.getMessage().contains("too low"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.noiseMultiplier(0, 0.01, 100, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.noiseMultiplier(1, 0, 100, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.noiseMultiplier(1, 0.01, 0, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.noiseMultiplier(1, 0.01, 100, 1));
    }
}
