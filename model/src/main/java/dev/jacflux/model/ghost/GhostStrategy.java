package dev.jacflux.model.ghost;

/**
 * How a ghost norm {@code ||A_b^T B_b||_F^2} is computed for a layer whose per-sample gradient is
 * a sum over positions ({@code P} output positions of a conv2d, or the middle axes of a linear
 * layer applied to {@code [T, in]} samples), with {@code A_b [P, a]} the output cotangents and
 * {@code B_b [P, b]} the (unfolded) inputs:
 * <ul>
 *   <li>{@link #DIRECT}: form each sample's {@code [a, b]} gradient and sum its squares
 *       ({@code P a b} work, {@code a b} memory per sample);</li>
 *   <li>{@link #GRAM}: {@code <A_b A_b^T, B_b B_b^T>} ({@code P^2 (a + b)} work, {@code P^2} memory
 *       per sample), the "ghost norm" of Li et al. and Bu et al.;</li>
 *   <li>{@link #AUTO}: whichever is cheaper for the layer (mixed ghost clipping, Bu et al. 2022).</li>
 * </ul>
 * With {@code P = 1} (a linear layer on vectors) both reduce to {@code ||a_b||^2 ||b_b||^2}.
 *
 * <pre>{@code
 * GhostPass pass = GhostPass.run(model, Loss.crossEntropy(), x, labels, GhostStrategy.AUTO);
 * }</pre>
 */
public enum GhostStrategy implements dev.jacflux.model.layers.GramChoice {
    /** Pick per layer: Gram matrices when {@code P (a + b) < a b}, else direct. */
    AUTO,
    /** Always form the per-sample gradient of the layer. */
    DIRECT,
    /** Always use Gram matrices over positions. */
    GRAM;

    @Override
    public boolean useGram(long positions, long a, long b) {
        return switch (this) {
            case GRAM -> true;
            case DIRECT -> false;
            case AUTO -> CHEAPER.useGram(positions, a, b);
        };
    }
}
