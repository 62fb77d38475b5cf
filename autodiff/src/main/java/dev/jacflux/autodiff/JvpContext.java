package dev.jacflux.autodiff;

/**
 * What a JVP rule sees: the primal output and the tangents of the inputs, each with the same
 * leading basis axes {@code [L...]}.
 *
 * <pre>{@code
 * public Tensor jvp(JvpContext c) {
 *     Tensor ta = c.tangentAligned(0), tb = c.tangentAligned(1);   // null where zero
 *     return Tensor.addNullable(ta == null ? null : ta.mul(b), tb == null ? null : tb.mul(a));
 * }
 * }</pre>
 */
public interface JvpContext {

    /** The op's output tensor (its primal value). */
    Tensor out();

    /**
     * Tangent of input {@code i}, exactly {@code [L..., *shape(input)]} (expanded if the producing
     * rule returned size-1 axes), or {@code null} if it is zero.
     */
    Tensor tangent(int i);

    /**
     * Tangent of input {@code i} with size-1 axes inserted after the leading axes so that its rank
     * is {@code L + rank(out)}; this is what elementwise rules combine with other tangents under
     * numpy broadcasting. {@code null} if the tangent is zero.
     */
    Tensor tangentAligned(int i);

    /** Number of leading basis axes of the tangents. */
    int lead();
}
