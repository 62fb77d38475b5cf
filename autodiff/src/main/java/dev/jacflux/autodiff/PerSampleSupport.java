package dev.jacflux.autodiff;

/**
 * How an op supports per-sample mode, where the cotangent of a value that does not depend on the
 * batch (a parameter) keeps a batch axis {@code [L..., B, *shape]} instead of being summed over
 * the batch.
 *
 * <pre>{@code
 * public PerSampleSupport perSampleSupport() { return PerSampleSupport.BROADCAST; }
 * }</pre>
 */
public enum PerSampleSupport {
    /**
     * The op broadcasts its inputs elementwise to the output shape (add, mul, ...). Its rule returns
     * cotangents aligned with the output, and the engine sums the broadcast axes, scaling where the
     * cotangent is constant along them; in per-sample mode it keeps the batch axis instead of
     * summing it.
     */
    BROADCAST,
    /**
     * The rule checks {@link VjpContext#perSample(int)} and itself returns a per-sample cotangent
     * {@code [L..., B, *shape(input)]} (matmul, conv2d).
     */
    HANDLED,
    /** Per-sample gradients through this op for an unbatched input are refused with a clear error. */
    UNSUPPORTED
}
