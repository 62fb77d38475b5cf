package dev.jacflux.training.privacy;

/**
 * {@code log(erfc(x))} in double precision for every finite {@code x}, including arguments where
 * {@code erfc(x)} itself underflows ({@code x > 26.5}): the RDP of the sampled Gaussian mechanism at
 * fractional orders weighs its series terms by Gaussian tail probabilities far below the smallest
 * double.
 *
 * <p>Three regions:
 * <ul>
 *   <li>{@code x < 0}: {@code erfc(x) = 2 - erfc(-x)}, between 1 and 2, no cancellation;</li>
 *   <li>{@code 0 <= x < 2}: {@code erfc(x) = 1 - erf(x)} with the everywhere-positive series
 *       {@code erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1))} (Abramowitz and
 *       Stegun 7.1.6), whose terms never cancel;</li>
 *   <li>{@code x >= 2}: the continued fraction {@code erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x +
 *       1/(x + (3/2)/(x + ...))))} (A&amp;S 7.1.14), evaluated by the modified Lentz method in log
 *       form: {@code log erfc(x) = -x^2 - log(sqrt(pi)) - log(K(x))}, so that nothing underflows.</li>
 * </ul>
 *
 * <pre>{@code
 * double a = LogErfc.of(1.0);     // log(0.157299207...) = -1.8496...
 * double b = LogErfc.of(40.0);    // -1600 - log(40 sqrt(pi)) ..., where erfc(40) = 0 in double
 * }</pre>
 */
final class LogErfc {
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 5000;

    private LogErfc() {
    }

    /** {@code log(erfc(x))}; {@code log 2} at {@code -inf}, {@code -inf} at {@code +inf}, NaN for NaN. */
    static double of(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        if (x < 0) {
            return Math.log(2 - Math.exp(of(-x)));
        }
        if (x < 2) {
            return Math.log1p(-erfSeries(x));
        }
        return -x * x - LOG_SQRT_PI - Math.log(lentz(x));
    }

    /** {@code erfc(x)} (0 where it underflows). */
    static double erfc(double x) {
        return Math.exp(of(x));
    }

    /** {@code erf(x)} for {@code 0 <= x < 2} by the positive series (A&amp;S 7.1.6). */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < MAX_ITERATIONS; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /**
     * {@code K(x) = x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...)))} by the modified Lentz method; then
     * {@code erfc(x) = exp(-x^2) / (sqrt(pi) K(x))}.
     */
    private static double lentz(double x) {
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < MAX_ITERATIONS; k++) {
            double a = k / 2.0;
            d = x + a * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = x + a / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                return f;
            }
        }
        throw new IllegalStateException("log erfc: the continued fraction did not converge at x = " + x);
    }
}
