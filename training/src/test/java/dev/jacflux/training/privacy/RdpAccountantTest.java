package dev.jacflux.training.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The accountant against independently published epsilons (the table in docs/privacy.md), and its
 * monotonicity and composition.
 */
class RdpAccountantTest {

    /**
     * Published with the same orders and the same conversion (Balle et al. 2020) as this accountant:
     * <ul>
     *   <li>Opacus, opacus/tests/accountants_test.py, {@code test_rdp_accountant}: sigma 1.5, q 0.04,
     *       int(90 / 0.04) = 2250 steps, delta 1e-5: epsilon 7.32911117143 ({@code assertAlmostEqual},
     *       7 places);</li>
     *   <li>TF Privacy, compute_dp_sgd_privacy_test.py ({@code dp_accounting} RDP accountant):
     *       N = 60000, batch 150, sigma 1.3, 15 epochs, delta 1e-5 (q = 150/60000, ceil(15 N / 150) =
     *       6000 steps): epsilon 0.7242234026109595 at order 19; N = 100000, batch 100, sigma 1.0,
     *       30 epochs, delta 1e-7 (30000 steps): 1.4154988495444842 at order 13.</li>
     * </ul>
     */
    @ParameterizedTest(name = "sigma {0}, q {1}, {2} steps, delta {3}: epsilon {4}")
    @CsvSource({
        "1.5, 0.04, 2250, 1e-5, 7.32911117143, 0",
        "1.3, 0.0025, 6000, 1e-5, 0.7242234026109595, 19",
        "1.0, 0.001, 30000, 1e-7, 1.4154988495444842, 13"})
    void matchesPublishedEpsilons(double sigma, double q, long steps, double delta, double epsilon, double order) {
        PrivacySpent p = RdpAccountant.privacySpent(sigma, q, steps, delta);
        assertEquals(epsilon, p.epsilon(), 5e-8, "epsilon");
        if (order > 0) {
            assertEquals(order, p.order(), 0, "best order");
        }
    }

    /**
     * Published with the classic conversion {@code epsilon = min_alpha r(alpha) + log(1/delta)/(alpha-1)}
     * (Mironov 2017, Prop. 3), which the moments accountant and early TF Privacy used; here that
     * one-line conversion is applied to this accountant's RDP at the orders those sources used.
     * Printed with 2 decimals, so agreement means within 0.005.
     * <ul>
     *   <li>TF Privacy tutorials/README.md (2019, noise 1.1 defaults): MNIST, N = 60000, batch 256,
     *       {@code 60000 // 256 = 234} steps per epoch, delta 1e-5, orders 1.1..10.9 and 12..63:
     *       sigma 1.1 after 1, 2, 60 epochs: 1.03, 1.11, 3.01; sigma 1.3, 15 epochs: 1.19;
     *       sigma 0.7, 45 epochs: 7.10;</li>
     *   <li>the same README (2018, noise 1.12 defaults): sigma 1.12 after 1, 2, 60 epochs: 1.00,
     *       1.04, 2.92; sigma 1.2, 10 epochs: 1.20;</li>
     *   <li>the README's command {@code compute_dp_sgd_privacy.py --N=60000 --batch_size=256
     *       --noise_multiplier=1.1 --epochs=60 --delta=1e-5}: eps = 3.01 (its orders 1.25, 1.5, 1.75,
     *       2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5..63, 128, 256, 512 and ceil(60 N / 256) = 14063 steps);</li>
     *   <li>Abadi et al. 2016, "Deep Learning with Differential Privacy", Section 3.1: q = 0.01,
     *       sigma = 4, delta = 1e-5, T = 10000 steps: epsilon = 1.26 by the moments accountant
     *       (integer moments lambda = 1..32, i.e. orders 2..33).</li>
     * </ul>
     */
    @ParameterizedTest(name = "{0}: sigma {1}, q {2}, {3} steps: {5}")
    @CsvSource({
        "tutorial, 1.1, 0.004266666666666667, 234, 1e-5, 1.03",
        "tutorial, 1.1, 0.004266666666666667, 468, 1e-5, 1.11",
        "tutorial, 1.1, 0.004266666666666667, 14040, 1e-5, 3.01",
        "tutorial, 1.3, 0.004266666666666667, 3510, 1e-5, 1.19",
        "tutorial, 0.7, 0.004266666666666667, 10530, 1e-5, 7.10",
        "tutorial, 1.12, 0.004266666666666667, 234, 1e-5, 1.00",
        "tutorial, 1.12, 0.004266666666666667, 468, 1e-5, 1.04",
        "tutorial, 1.12, 0.004266666666666667, 14040, 1e-5, 2.92",
        "tutorial, 1.2, 0.004266666666666667, 2340, 1e-5, 1.20",
        "compute_dp_sgd_privacy, 1.1, 0.004266666666666667, 14063, 1e-5, 3.01",
        "abadi, 4, 0.01, 10000, 1e-5, 1.26"})
    void matchesPublishedClassicConversionFigures(String source, double sigma, double q, long steps, double delta, double published) {
        double[] orders = switch (source) {
            case "tutorial" -> RdpOrders.defaults();
            case "compute_dp_sgd_privacy" -> tfCommandOrders();
            default -> range(2, 33);
        };
        double best = Double.POSITIVE_INFINITY;
        for (double a : orders) {
            best = Math.min(best, steps * SampledGaussianRdp.rdp(q, sigma, a) + Math.log(1 / delta) / (a - 1));
        }
        assertEquals(published, best, 0.005, source);
        // the conversion of Balle et al., which this accountant reports, is never looser
        assertTrue(RdpAccountant.epsilon(sigma, q, steps, delta) <= best + 1e-12);
    }

    /**
     * The 2018 README's row sigma 0.6, 30 epochs (7020 steps) prints 9.74; this RDP gives 9.747 with the
     * tutorial's orders, which would print 9.75: the one published figure we match only to 0.01.
     */
    @Test
    void theOneFigureOffInTheLastPrintedDigit() {
        double best = Double.POSITIVE_INFINITY;
        for (double a : RdpOrders.defaults()) {
            best = Math.min(best, 7020 * SampledGaussianRdp.rdp(256 / 60000.0, 0.6, a) + Math.log(1e5) / (a - 1));
        }
        assertEquals(9.74, best, 0.01);
    }

    private static double[] range(int from, int to) {
        double[] a = new double[to - from + 1];
        for (int i = 0; i < a.length; i++) {
            a[i] = from + i;
        }
        return a;
    }

    private static double[] tfCommandOrders() {
        List<Double> l = new ArrayList<>(List.of(1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5));
        for (int o = 5; o < 64; o++) {
            l.add((double) o);
        }
        l.addAll(List.of(128.0, 256.0, 512.0));
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** q = 1: the total RDP is T alpha / (2 sigma^2) in closed form; epsilon follows by hand from the conversion. */
    @Test
    void noSamplingFollowsTheClosedForm() {
        double sigma = 5;
        long steps = 10;
        double delta = 1e-5;
        double best = Double.POSITIVE_INFINITY;
        for (double a : RdpOrders.defaults()) {
            best = Math.min(best, steps * a / (2 * sigma * sigma) + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1));
        }
        assertEquals(best, RdpAccountant.epsilon(sigma, 1.0, steps, delta), 1e-12);
    }

    @Test
    void epsilonGrowsWithStepsAndSampleRateAndFallsWithNoise() {
        double prev = 0;
        for (long t : new long[] {1, 10, 100, 1000, 10000}) {
            double e = RdpAccountant.epsilon(1.1, 0.01, t, 1e-5);
            assertTrue(e > prev, "steps " + t);
            prev = e;
        }
        prev = 0;
        for (double q : new double[] {0.001, 0.004, 0.01, 0.05, 0.2}) {
            double e = RdpAccountant.epsilon(1.1, q, 1000, 1e-5);
            assertTrue(e > prev, "q " + q);
            prev = e;
        }
        prev = Double.POSITIVE_INFINITY;
        for (double s : new double[] {0.5, 0.8, 1.1, 2, 5}) {
            double e = RdpAccountant.epsilon(s, 0.01, 1000, 1e-5);
            assertTrue(e < prev, "sigma " + s);
            prev = e;
        }
    }

    /** Stepping one at a time, in blocks, and restoring a history all give the same total. */
    @Test
    void compositionIsAdditiveOverStepsAndEntries() {
        RdpAccountant a = new RdpAccountant();
        for (int t = 0; t < 300; t++) {
            a.step(1.1, 0.01);
        }
        for (int t = 0; t < 200; t++) {
            a.step(0.8, 0.02);
        }
        RdpAccountant b = new RdpAccountant();
        b.steps(1.1, 0.01, 300);
        b.steps(0.8, 0.02, 200);
        assertEquals(2, a.history().size());
        assertEquals(500, a.totalSteps());
        assertEquals(b.epsilon(1e-5), a.epsilon(1e-5), 1e-12);
        RdpAccountant c = RdpAccountant.of(a.history());
        assertEquals(a.epsilon(1e-5), c.epsilon(1e-5), 0);
        double[] ra = a.rdp();
        double[] orders = a.orders();
        for (int i = 0; i < orders.length; i++) {
            double expected = 300 * SampledGaussianRdp.rdp(0.01, 1.1, orders[i]) + 200 * SampledGaussianRdp.rdp(0.02, 0.8, orders[i]);
            assertEquals(expected, ra[i], 1e-12 * expected);
        }
    }

    @Test
    void lookAheadEqualsTakingTheSteps() {
        RdpAccountant a = new RdpAccountant();
        a.steps(1.1, 0.01, 40);
        PrivacySpent ahead = a.privacySpentAfter(1, 1.1, 0.01, 1e-5);
        assertEquals(40, a.totalSteps(), "look-ahead records nothing");
        a.step(1.1, 0.01);
        assertEquals(a.privacySpent(1e-5), ahead);
    }

    @Test
    void beforeAnyStepNothingIsSpent() {
        PrivacySpent p = new RdpAccountant().privacySpent(1e-5);
        assertEquals(0.0, p.epsilon());
        assertTrue(Double.isNaN(p.order()));
    }

    /** The default orders are Opacus's DEFAULT_ALPHAS: 1 + x / 10.0 for x in 1..99, then 12..63. */
    @Test
    void defaultOrdersAreOpacusAlphas() {
        double[] a = RdpOrders.defaults();
        assertEquals(151, a.length);
        assertEquals(1.1, a[0], 0);
        assertEquals(10.9, a[98], 0);
        assertEquals(12.0, a[99], 0);
        assertEquals(63.0, a[150], 0);
        assertEquals(1 + 37 / 10.0, a[36], 0);
    }
}
