package dev.jacflux.model.layers;

/**
 * How the squared norm {@code ||A_b^T B_b||_F^2} of a per-sample gradient that is a sum over
 * {@code P} positions ({@code A_b [P, a]} output cotangents, {@code B_b [P, b]} inputs or im2col
 * columns) is computed: by forming each sample's {@code [a, b]} gradient ({@code P a b} work), or
 * from Gram matrices over positions, {@code <A_b A_b^T, B_b B_b^T>} ({@code P^2 (a + b)} work).
 * {@code dev.jacflux.model.ghost.GhostStrategy} implements it.
 *
 * <pre>{@code
 * GramChoice cheaper = GramChoice.CHEAPER;
 * boolean gram = cheaper.useGram(64, 16, 150);   // false: P (a + b) >= a b
 * }</pre>
 */
@FunctionalInterface
public interface GramChoice {
    /** Gram matrices when {@code P (a + b) < a b} (mixed ghost clipping, Bu et al. 2022). */
    GramChoice CHEAPER = (p, a, b) -> p * (a + b) < a * b;

    /** Whether to use Gram matrices for {@code P} positions and widths {@code a}, {@code b}. */
    boolean useGram(long positions, long a, long b);
}
