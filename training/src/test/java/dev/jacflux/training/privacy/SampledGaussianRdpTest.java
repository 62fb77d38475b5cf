package dev.jacflux.training.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The RDP of one sampled Gaussian step: the q = 1 closed form, TF Privacy's published per-order
 * values, and an independent numerical integration of the defining integral.
 */
class SampledGaussianRdpTest {

    /** Gaussian mechanism (q = 1): alpha / (2 sigma^2) (Mironov 2017, Proposition 7), integer and fractional orders. */
    @ParameterizedTest(name = "sigma {0}, alpha {1}")
    @CsvSource({"10, 20", "1.1, 1.1", "1.1, 7.3", "0.5, 63", "4, 2"})
    void noSamplingIsTheGaussianMechanism(double sigma, double alpha) {
        assertEquals(alpha / (2 * sigma * sigma), SampledGaussianRdp.rdp(1.0, sigma, alpha), 0);
    }

    /**
     * TF Privacy's q = 1 test ({@code compute_rdp(1, 10, 1, 20) == 0.1}) and the limit q -> 1 of the
     * series, which must meet the closed form.
     */
    @Test
    void approachesTheClosedFormAsQGoesToOne() {
        assertEquals(0.1, SampledGaussianRdp.rdp(1, 10, 20), 1e-15);
        for (double alpha : new double[] {2, 3.5, 12}) {
            double closed = alpha / (2 * 1.3 * 1.3);
            assertEquals(closed, SampledGaussianRdp.rdp(1 - 1e-9, 1.3, alpha), 1e-6 * closed, "alpha " + alpha);
        }
    }

    @Test
    void noDataMeansNoPrivacyLoss() {
        assertEquals(0.0, SampledGaussianRdp.rdp(0, 10, 20));
        assertEquals(Double.POSITIVE_INFINITY, SampledGaussianRdp.rdp(0.01, 2.5, Double.POSITIVE_INFINITY));
    }

    /**
     * TF Privacy, rdp_accountant_test.py: {@code compute_rdp(0.1, 2, 10, 5) = 0.07737} (5 places) and
     * {@code compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]) = [0.00065, 0.001085, 0.00218075,
     * 0.023846, 167.416307]} (within 1e-5), i.e. steps times the per-step RDP.
     */
    @ParameterizedTest(name = "q {0}, sigma {1}, {2} steps, alpha {3}")
    @CsvSource({
        "0.1, 2, 10, 5, 0.07737",
        "0.01, 2.5, 50, 1.5, 0.00065",
        "0.01, 2.5, 50, 2.5, 0.001085",
        "0.01, 2.5, 50, 5, 0.00218075",
        "0.01, 2.5, 50, 50, 0.023846",
        "0.01, 2.5, 50, 100, 167.416307"})
    void matchesTfPrivacyPublishedValues(double q, double sigma, int steps, double alpha, double expected) {
        assertEquals(expected, steps * SampledGaussianRdp.rdp(q, sigma, alpha), 1e-5);
    }

    /**
     * log A_alpha by the series against a direct numerical integration of its definition
     * {@code integral N(z; 0, sigma^2) ((1-q) + q exp((2z-1)/(2 sigma^2)))^alpha dz} (composite
     * 20-point Gauss-Legendre in scaled log space, written here independently of the series). The
     * parameter sets include TF Privacy's multi-precision test cases (rdp_accountant_test.py).
     */
    @ParameterizedTest(name = "q {0}, sigma {1}, alpha {2}")
    @CsvSource({
        "1e-7, 0.1, 1.01", "1e-6, 0.1, 256", "1e-5, 0.1, 256.1", "1e-6, 1, 27", "1e-4, 1, 1.5", "1e-3, 1, 2", "0.01, 10, 20",
        "0.1, 100, 20.5", "0.99, 0.1, 256", "0.999, 100, 256.1",
        "0.5, 1, 1.1", "0.5, 4, 1.1", "0.04, 1.5, 3.9", "0.3, 0.5, 7.7", "0.01, 0.3, 2.5", "0.0042666666666666667, 1.1, 10.9",
        "0.2, 2, 63", "0.7, 0.8, 5.5"})
    void seriesMatchesNumericalIntegration(double q, double sigma, double alpha) {
        double series = SampledGaussianRdp.logA(q, sigma, alpha);
        double integral = Quadrature.logA(q, sigma, alpha);
        assertEquals(integral, series, 1e-12 * Math.abs(integral) + 1e-13, "log A");
    }

    /** RDP grows with the order (Mironov 2017, Proposition 9), with q and as sigma shrinks. */
    @Test
    void monotoneInOrderSampleRateAndNoise() {
        double[] orders = RdpOrders.defaults();
        for (double q : new double[] {0.001, 0.01, 0.2}) {
            for (double sigma : new double[] {0.6, 1.1, 3}) {
                double prev = 0;
                for (double a : orders) {
                    double r = SampledGaussianRdp.rdp(q, sigma, a);
                    assertTrue(r >= prev * (1 - 1e-12), "order " + a + " q " + q + " sigma " + sigma + ": " + r + " < " + prev);
                    prev = r;
                }
            }
        }
        for (double a : new double[] {1.5, 4, 32}) {
            double prev = 0;
            for (double q : new double[] {1e-4, 1e-3, 0.01, 0.05, 0.2, 0.5, 0.9, 1}) {
                double r = SampledGaussianRdp.rdp(q, 1.0, a);
                assertTrue(r > prev, "q " + q + ", alpha " + a);
                prev = r;
            }
            prev = Double.POSITIVE_INFINITY;
            for (double sigma : new double[] {0.5, 0.8, 1, 1.5, 3, 10}) {
                double r = SampledGaussianRdp.rdp(0.01, sigma, a);
                assertTrue(r < prev, "sigma " + sigma + ", alpha " + a);
                prev = r;
            }
        }
    }

    @Test
    void rejectsInvalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> SampledGaussianRdp.rdp(-0.1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> SampledGaussianRdp.rdp(1.1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> SampledGaussianRdp.rdp(0.1, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> SampledGaussianRdp.rdp(0.1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SampledGaussianRdp.rdp(0.1, Double.NaN, 2));
    }

    /** Direct numerical integration of A_alpha, independent of the series. */
    static final class Quadrature {
        private static final double[] NODES = new double[20];
        private static final double[] WEIGHTS = new double[20];

        static {
            // Gauss-Legendre nodes on [-1, 1] by Newton's method on P_20
            int n = NODES.length;
            for (int i = 0; i < n; i++) {
                double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
                double dp = 0;
                for (int it = 0; it < 100; it++) {
                    double p0 = 1;
                    double p1 = x;
                    for (int k = 2; k <= n; k++) {
                        double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                        p0 = p1;
                        p1 = p2;
                    }
                    dp = n * (x * p1 - p0) / (x * x - 1);
                    double dx = p1 / dp;
                    x -= dx;
                    if (Math.abs(dx) < 1e-16) {
                        break;
                    }
                }
                NODES[i] = x;
                WEIGHTS[i] = 2 / ((1 - x * x) * dp * dp);
            }
        }

        /** log of the integrand: log N(z; 0, sigma^2) + alpha log((1-q) + q exp((2z-1)/(2 sigma^2))). */
        static double logIntegrand(double z, double q, double sigma, double alpha) {
            double a = Math.log1p(-q);
            double b = Math.log(q) + (2 * z - 1) / (2 * sigma * sigma);
            double m = Math.max(a, b);
            double mix = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
            return -z * z / (2 * sigma * sigma) - Math.log(Math.sqrt(2 * Math.PI) * sigma) + alpha * mix;
        }

        static double logA(double q, double sigma, double alpha) {
            // the mass lies around z = 0 (the mu0 part) and z = alpha (the q^alpha part): cover both generously
            double lo = Math.min(0, alpha) - 40 * sigma - 2;
            double hi = Math.max(0, alpha) + 40 * sigma + 2;
            double width = Math.min(sigma, 1) / 8;
            int panels = (int) Math.ceil((hi - lo) / width);
            double h = (hi - lo) / panels;
            double max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p <= panels * 4; p++) {
                max = Math.max(max, logIntegrand(lo + p * h / 4, q, sigma, alpha));
            }
            double sum = 0;
            double comp = 0;   // Kahan compensation
            for (int p = 0; p < panels; p++) {
                double mid = lo + (p + 0.5) * h;
                for (int i = 0; i < NODES.length; i++) {
                    double y = WEIGHTS[i] * Math.exp(logIntegrand(mid + NODES[i] * h / 2, q, sigma, alpha) - max) - comp;
                    double t = sum + y;
                    comp = (t - sum) - y;
                    sum = t;
                }
            }
            return max + Math.log(sum * h / 2);
        }
    }
}
