package dev.jacflux.training.privacy;

/**
 * The Rényi differential privacy of one step of the sampled Gaussian mechanism (SGM): every example
 * joins the batch independently with probability {@code q} (Poisson sampling), the clipped
 * per-example contributions (sensitivity 1 after dividing by the clip norm) are summed and Gaussian
 * noise {@code N(0, sigma^2)} is added. Mironov, Talwar and Zhang, "Rényi Differential Privacy of the
 * Sampled Gaussian Mechanism" (2019, arXiv:1908.10530), Section 3.
 *
 * <p>With {@code mu0 = N(0, sigma^2)}, {@code mu1 = N(1, sigma^2)} and the mixture
 * {@code mu = (1-q) mu0 + q mu1}, the RDP at order {@code alpha > 1} is
 * <pre>
 *   eps(alpha) = log(A_alpha) / (alpha - 1),   A_alpha = E_{z ~ mu0} [ (mu(z) / mu0(z))^alpha ]
 *              = integral mu0(z) ((1-q) + q exp((2z - 1) / (2 sigma^2)))^alpha dz
 * </pre>
 * (their Theorem 4 shows that this direction of the divergence is the larger one, so it is the
 * RDP of the mechanism for the add/remove-one relation).
 *
 * <p><b>Integer orders</b> (their Section 3.3, eq. for integer alpha): the binomial expansion is
 * finite and every term is positive,
 * <pre>
 *   A_alpha = sum_{k=0..alpha} C(alpha, k) (1-q)^(alpha-k) q^k exp((k^2 - k) / (2 sigma^2)),
 * </pre>
 * summed here in log space (log-sum-exp), so that large orders and small {@code sigma} do not
 * overflow.
 *
 * <p><b>Fractional orders</b> (their Section 3.3, fractional alpha): split the integral at
 * {@code z0 = sigma^2 log(1/q - 1) + 1/2}, where {@code q mu1 = (1-q) mu0}. Left of {@code z0} the
 * term {@code q exp(...)} is the smaller one, right of it {@code (1-q)} is, so the binomial series of
 * {@code (a + b)^alpha} in powers of the smaller term converges on each side. Integrating each term
 * against {@code mu0} gives Gaussian tail probabilities:
 * <pre>
 *   A_alpha = sum_{i>=0} C(alpha, i) [ (1-q)^(alpha-i) q^i     exp((i^2 - i) / (2 sigma^2)) erfc((i - z0) / (sqrt(2) sigma)) / 2
 *                                   + q^(alpha-i) (1-q)^i     exp((j^2 - j) / (2 sigma^2)) erfc((z0 - j) / (sqrt(2) sigma)) / 2 ],
 *   j = alpha - i,
 * </pre>
 * where {@code C(alpha, i)} is the generalised binomial coefficient, which alternates in sign once
 * {@code i > alpha}. Every term is formed in log space ({@link LogErfc} for tails far below the
 * smallest double); the terms are summed with their signs after scaling by the largest. The series
 * is stopped once {@code i > alpha} (so the remaining terms alternate and decrease) and both new
 * terms are below {@code e^-36 ~ 2e-16} of {@code max(1, largest term)}: since {@code A_alpha >= 1},
 * the neglected tail is below double precision.
 *
 * <p>Special cases (as Opacus and TF Privacy): {@code q = 0} gives 0, {@code q = 1} the Gaussian
 * mechanism's {@code alpha / (2 sigma^2)} (Mironov 2017, Proposition 7), an infinite order gives
 * infinity.
 *
 * <pre>{@code
 * double r = SampledGaussianRdp.rdp(0.01, 1.1, 8.0);   // RDP of one step at order 8
 * }</pre>
 */
public final class SampledGaussianRdp {
    private static final double LOG_HALF = Math.log(0.5);
    private static final double STOP = 36;
    private static final int MAX_TERMS = 50_000_000;

    private SampledGaussianRdp() {
    }

    /**
     * The RDP {@code eps(alpha)} of one step.
     *
     * @param q sampling rate in {@code [0, 1]}
     * @param sigma noise multiplier {@code > 0} (noise std over the clip norm)
     * @param alpha order {@code > 1} (may be infinite)
     * @throws IllegalArgumentException for values outside those ranges
     */
    public static double rdp(double q, double sigma, double alpha) {
        check(q, sigma, alpha);
        if (q == 0) {
            return 0;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        if (Double.isInfinite(alpha)) {
            return Double.POSITIVE_INFINITY;
        }
        return logA(q, sigma, alpha) / (alpha - 1);
    }

    /** {@code log A_alpha} for {@code 0 < q < 1}, a finite order {@code alpha > 1} and {@code sigma > 0}. */
    static double logA(double q, double sigma, double alpha) {
        return alpha == Math.rint(alpha) && alpha < 1e6 ? logAInteger(q, sigma, (long) alpha) : logAFractional(q, sigma, alpha);
    }

    static void check(double q, double sigma, double alpha) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampled Gaussian RDP: the sampling rate q must lie in [0, 1], got " + q);
        }
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("sampled Gaussian RDP: the noise multiplier sigma must be a finite number > 0, got " + sigma);
        }
        if (!(alpha > 1)) {
            throw new IllegalArgumentException("sampled Gaussian RDP: the order alpha must be > 1, got " + alpha);
        }
    }

    private static double logAInteger(double q, double sigma, long alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoSigma2 = 2 * sigma * sigma;
        double[] terms = new double[(int) alpha + 1];
        double logBinom = 0;   // log C(alpha, 0)
        for (int k = 0; k <= alpha; k++) {
            if (k > 0) {
                logBinom += Math.log((double) (alpha - k + 1)) - Math.log(k);
            }
            terms[k] = logBinom + k * logQ + (alpha - k) * log1mQ + ((double) k * k - k) / twoSigma2;
        }
        return logSumExp(terms, null, terms.length);
    }

    private static double logAFractional(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double sigma2 = sigma * sigma;
        double twoSigma2 = 2 * sigma2;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        double z0 = sigma2 * (log1mQ - logQ) + 0.5;
        Terms terms = new Terms();
        double logBinom = 0;   // log |C(alpha, i)|
        int sign = 1;          // sign of C(alpha, i)
        double largest = 0;    // log of max(1, largest term so far)
        for (int i = 0; i < MAX_TERMS; i++) {
            if (i > 0) {
                double factor = alpha - i + 1;
                logBinom += Math.log(Math.abs(factor)) - Math.log(i);
                if (factor < 0) {
                    sign = -sign;
                }
            }
            double j = alpha - i;
            double t0 = logBinom + i * logQ + j * log1mQ + ((double) i * i - i) / twoSigma2 + LOG_HALF + LogErfc.of((i - z0) / sqrt2Sigma);
            double t1 = logBinom + j * logQ + i * log1mQ + (j * j - j) / twoSigma2 + LOG_HALF + LogErfc.of((z0 - j) / sqrt2Sigma);
            terms.add(t0, sign);
            terms.add(t1, sign);
            largest = Math.max(largest, Math.max(t0, t1));
            if (i > alpha && Math.max(t0, t1) < largest - STOP) {
                return terms.logSum();
            }
        }
        throw new IllegalStateException("sampled Gaussian RDP: the series for order " + alpha + " (q = " + q + ", sigma = " + sigma
                + ") did not converge in " + MAX_TERMS + " terms");
    }

    /** {@code log(sum_i s_i exp(t_i))} over the first {@code n} terms, scaled by the largest; signs may be null (all +). */
    private static double logSumExp(double[] logs, int[] signs, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logs[i]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        // Neumaier-compensated sum of the scaled terms
        double sum = 0;
        double comp = 0;
        for (int i = 0; i < n; i++) {
            double v = Math.exp(logs[i] - max);
            if (signs != null && signs[i] < 0) {
                v = -v;
            }
            double t = sum + v;
            comp += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }
        sum += comp;
        if (!(sum > 0)) {
            throw new IllegalStateException("sampled Gaussian RDP: the series summed to " + sum + " (expected > 0)");
        }
        return max + Math.log(sum);
    }

    /** Signed log-terms of the fractional series, growing as needed. */
    private static final class Terms {
        private double[] logs = new double[256];
        private int[] signs = new int[256];
        private int n;

        void add(double log, int sign) {
            if (n == logs.length) {
                logs = java.util.Arrays.copyOf(logs, 2 * n);
                signs = java.util.Arrays.copyOf(signs, 2 * n);
            }
            logs[n] = log;
            signs[n] = sign;
            n++;
        }

        double logSum() {
            return logSumExp(logs, signs, n);
        }
    }
}
