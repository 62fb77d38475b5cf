package dev.jacflux.training.privacy;

import java.util.Arrays;

/**
 * The Rényi orders at which the accountant tracks privacy: {@code 1.1, 1.2, ..., 10.9} and
 * {@code 12, 13, ..., 63}, the default set of Opacus ({@code DEFAULT_ALPHAS}) and of the TF Privacy
 * MNIST tutorial, computed the same way ({@code 1 + x / 10.0}), so the doubles are identical.
 *
 * <pre>{@code
 * double[] a = RdpOrders.defaults();   // 150 orders, ascending
 * }</pre>
 */
public final class RdpOrders {
    private static final double[] DEFAULT = build();

    private RdpOrders() {
    }

    private static double[] build() {
        double[] a = new double[99 + 52];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            a[k++] = 1 + x / 10.0;
        }
        for (int o = 12; o < 64; o++) {
            a[k++] = o;
        }
        return a;
    }

    /** A copy of the default orders. */
    public static double[] defaults() {
        return DEFAULT.clone();
    }

    /** Checks a set of orders: non-empty, each {@code > 1} (infinite allowed); returns a copy. */
    static double[] checked(double[] orders) {
        if (orders == null || orders.length == 0) {
            throw new IllegalArgumentException("rdp accountant: at least one order is needed");
        }
        for (double a : orders) {
            if (!(a > 1)) {
                throw new IllegalArgumentException("rdp accountant: every order must be > 1, got " + a + " in " + Arrays.toString(orders));
            }
        }
        return orders.clone();
    }
}
