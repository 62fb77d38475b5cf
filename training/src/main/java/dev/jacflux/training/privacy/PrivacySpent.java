package dev.jacflux.training.privacy;

/**
 * An {@code (epsilon, delta)} guarantee and the Rényi order that gave the smallest epsilon.
 *
 * <pre>{@code
 * PrivacySpent p = accountant.privacySpent(1e-5);
 * System.out.printf("(%.2f, %.0e)-DP at order %s%n", p.epsilon(), p.delta(), p.order());
 * }</pre>
 *
 * @param epsilon the epsilon ({@code 0} before any step; infinite when no order gives a finite bound)
 * @param delta the delta it was computed for
 * @param order the best order ({@code NaN} when epsilon is infinite or no step was taken)
 */
public record PrivacySpent(double epsilon, double delta, double order) {
}
