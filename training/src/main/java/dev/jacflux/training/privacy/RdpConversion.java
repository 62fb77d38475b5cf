package dev.jacflux.training.privacy;

/**
 * From Rényi DP to {@code (epsilon, delta)}-DP by Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis
 * Testing Interpretations and Renyi Differential Privacy" (AISTATS 2020, arXiv:1905.09982),
 * Theorem 21, as Opacus's {@code get_privacy_spent} applies it: a mechanism that is
 * {@code (alpha, r)}-RDP is {@code (epsilon, delta)}-DP with
 * <pre>
 *   epsilon = r + log((alpha - 1) / alpha) - (log(delta) + log(alpha)) / (alpha - 1),
 * </pre>
 * and the best bound is the smallest over the tracked orders. It is never larger than the classic
 * conversion {@code r + log(1/delta) / (alpha - 1)} (Mironov 2017, Proposition 3), which the
 * moments accountant of Abadi et al. (2016) and early TF Privacy releases used. A negative value
 * (possible for tiny {@code r}) is reported as 0, which it implies.
 *
 * <pre>{@code
 * PrivacySpent p = RdpConversion.best(orders, totalRdp, 1e-5);
 * }</pre>
 */
public final class RdpConversion {
    private RdpConversion() {
    }

    /** The epsilon bound from order {@code alpha} with total RDP {@code rdp} (may be negative or infinite). */
    public static double epsilon(double alpha, double rdp, double delta) {
        return rdp + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    }

    /**
     * The smallest epsilon over the orders, and its order.
     *
     * @param orders the orders ({@code > 1})
     * @param rdp the total RDP at each order
     * @param delta in {@code (0, 1)}
     */
    public static PrivacySpent best(double[] orders, double[] rdp, double delta) {
        checkDelta(delta);
        if (orders.length != rdp.length) {
            throw new IllegalArgumentException("rdp conversion: " + orders.length + " orders but " + rdp.length + " RDP values");
        }
        double best = Double.POSITIVE_INFINITY;
        double order = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double e = epsilon(orders[i], rdp[i], delta);
            if (e < best) {
                best = e;
                order = orders[i];
            }
        }
        return new PrivacySpent(Math.max(0, best), delta, order);
    }

    static void checkDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must lie in (0, 1), got " + delta);
        }
    }
}
