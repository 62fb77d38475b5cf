package dev.jacflux.training.privacy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Rényi DP accountant of DP-SGD with Poisson sampling: each step is one sampled Gaussian
 * mechanism ({@link SampledGaussianRdp}, Mironov, Talwar and Zhang 2019) with noise multiplier
 * {@code sigma} and sampling rate {@code q}; RDP composes additively over steps at every order
 * (Mironov 2017, Proposition 1), and the total converts to {@code (epsilon, delta)} by
 * {@link RdpConversion} (Balle et al. 2020), minimised over the orders ({@link RdpOrders#defaults()}
 * unless given). The numbers agree with Opacus's {@code RDPAccountant}.
 *
 * <p>The history is a list of {@code (sigma, q, steps)} entries; consecutive steps with the same
 * {@code sigma} and {@code q} extend the last entry. The per-order RDP of one step is computed once
 * per {@code (sigma, q)} and cached, so {@link #step} costs a counter increment and
 * {@link #privacySpent} a pass over the orders (150 by default): negligible next to a training step.
 * Thread-safe.
 *
 * <pre>{@code
 * RdpAccountant acc = new RdpAccountant();
 * for (int t = 0; t < 2250; t++) {
 *     acc.step(1.5, 0.04);                      // sigma, q
 * }
 * PrivacySpent p = acc.privacySpent(1e-5);      // epsilon 7.329 at order 4.x (Opacus's figure)
 * double eps = RdpAccountant.epsilon(1.1, 256 / 60000.0, 14063, 1e-5);   // without an instance
 * }</pre>
 */
public final class RdpAccountant {
    /**
     * A run of steps with the same noise multiplier and sampling rate.
     *
     * <pre>{@code
     * RdpAccountant acc = RdpAccountant.of(List.of(new RdpAccountant.Entry(1.1, 0.01, 500)));
     * }</pre>
     *
     * @param noiseMultiplier {@code sigma > 0}
     * @param sampleRate {@code q} in {@code [0, 1]}
     * @param steps number of steps {@code >= 0}
     */
    public record Entry(double noiseMultiplier, double sampleRate, long steps) {
        public Entry {
            SampledGaussianRdp.check(sampleRate, noiseMultiplier, 2);
            if (steps < 0) {
                throw new IllegalArgumentException("rdp accountant: steps must be >= 0, got " + steps);
            }
        }
    }

    private record Key(double sigma, double q) {
    }

    private final double[] orders;
    private final List<Entry> history = new ArrayList<>();
    private final Map<Key, double[]> perStep = new HashMap<>();
    /** The conversion's constant per order at {@link #conversionDelta} (see {@link RdpConversion#epsilon}). */
    private double[] conversion;
    private double conversionDelta = Double.NaN;

    /** An accountant at the default orders. */
    public RdpAccountant() {
        this(RdpOrders.defaults());
    }

    /** An accountant at the given orders (each {@code > 1}). */
    public RdpAccountant(double[] orders) {
        this.orders = RdpOrders.checked(orders);
    }

    /** An accountant at the default orders that has already spent {@code history} (e.g. restored from a checkpoint). */
    public static RdpAccountant of(List<Entry> history) {
        RdpAccountant a = new RdpAccountant();
        for (Entry e : history) {
            a.steps(e.noiseMultiplier(), e.sampleRate(), e.steps());
        }
        return a;
    }

    /** Epsilon of {@code steps} steps at {@code (sigma, q)}, without an instance. */
    public static double epsilon(double sigma, double q, long steps, double delta) {
        return privacySpent(sigma, q, steps, delta).epsilon();
    }

    /** The guarantee of {@code steps} steps at {@code (sigma, q)}, with its best order. */
    public static PrivacySpent privacySpent(double sigma, double q, long steps, double delta) {
        RdpAccountant a = new RdpAccountant();
        a.steps(sigma, q, steps);
        return a.privacySpent(delta);
    }

    /** Records one step. */
    public synchronized void step(double sigma, double q) {
        steps(sigma, q, 1);
    }

    /** Records {@code count} steps at the same {@code (sigma, q)}. */
    public synchronized void steps(double sigma, double q, long count) {
        Entry add = new Entry(sigma, q, count);
        perStepRdp(sigma, q);
        int last = history.size() - 1;
        if (last >= 0 && history.get(last).noiseMultiplier() == sigma && history.get(last).sampleRate() == q) {
            Entry e = history.get(last);
            history.set(last, new Entry(sigma, q, e.steps() + add.steps()));
        } else {
            history.add(add);
        }
    }

    /** The steps recorded so far (all entries). */
    public synchronized long totalSteps() {
        long s = 0;
        for (Entry e : history) {
            s += e.steps();
        }
        return s;
    }

    /** The history, oldest first (a copy). */
    public synchronized List<Entry> history() {
        return List.copyOf(history);
    }

    /** The orders (a copy). */
    public double[] orders() {
        return orders.clone();
    }

    /** The total RDP at each order. */
    public synchronized double[] rdp() {
        return totalRdp(null, 0, 0, 0);
    }

    /** The {@code (epsilon, delta)} guarantee of the steps so far ({@code epsilon = 0} before any step). */
    public synchronized PrivacySpent privacySpent(double delta) {
        RdpConversion.checkDelta(delta);
        if (totalSteps() == 0) {
            return new PrivacySpent(0, delta, Double.NaN);
        }
        return best(rdp(), delta);
    }

    /** The smallest epsilon over the orders, with the conversion's per-order constants cached for the delta. */
    private PrivacySpent best(double[] rdp, double delta) {
        if (delta != conversionDelta) {
            conversion = new double[orders.length];
            for (int i = 0; i < orders.length; i++) {
                conversion[i] = RdpConversion.epsilon(orders[i], 0, delta);
            }
            conversionDelta = delta;
        }
        double eps = Double.POSITIVE_INFINITY;
        double order = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double e = rdp[i] + conversion[i];
            if (e < eps) {
                eps = e;
                order = orders[i];
            }
        }
        return new PrivacySpent(Math.max(0, eps), delta, order);
    }

    /** Epsilon of the steps so far. */
    public double epsilon(double delta) {
        return privacySpent(delta).epsilon();
    }

    /**
     * The guarantee after {@code more} further steps at {@code (sigma, q)}, without recording them:
     * a training that must not exceed a budget checks this before taking a step.
     */
    public synchronized PrivacySpent privacySpentAfter(long more, double sigma, double q, double delta) {
        RdpConversion.checkDelta(delta);
        new Entry(sigma, q, more);
        if (totalSteps() + more == 0) {
            return new PrivacySpent(0, delta, Double.NaN);
        }
        return best(totalRdp(perStepRdp(sigma, q), more, sigma, q), delta);
    }

    private double[] totalRdp(double[] extra, long extraSteps, double sigma, double q) {
        double[] total = new double[orders.length];
        for (Entry e : history) {
            add(total, perStepRdp(e.noiseMultiplier(), e.sampleRate()), e.steps());
        }
        if (extra != null) {
            add(total, extra, extraSteps);
        }
        return total;
    }

    private static void add(double[] total, double[] one, long steps) {
        if (steps == 0) {
            return;
        }
        for (int i = 0; i < total.length; i++) {
            total[i] += one[i] * steps;
        }
    }

    private double[] perStepRdp(double sigma, double q) {
        return perStep.computeIfAbsent(new Key(sigma, q), k -> {
            double[] r = new double[orders.length];
            for (int i = 0; i < orders.length; i++) {
                r[i] = SampledGaussianRdp.rdp(q, sigma, orders[i]);
            }
            return r;
        });
    }
}
