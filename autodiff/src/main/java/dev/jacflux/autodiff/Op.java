package dev.jacflux.autodiff;

import java.util.List;

/**
 * A recorded operation: its inputs, attributes and derivative rules. Each op lives in one file
 * under {@code dev.jacflux.autodiff.ops} with a static {@code apply} (the forward pass), its VJP
 * and its JVP side by side.
 *
 * <h2>Batched cotangents and tangents</h2>
 * A VJP receives a cotangent {@code g} of shape {@code [L..., *shape(out)]}: {@code L} leading
 * basis axes in front of the value's shape, so that one reverse pass carries a whole block of
 * Jacobian rows. Any dimension of {@code g} may be 1 where the cotangent is constant along it (a
 * batch-invariant seed is {@code [K, 1, *out]}); rules that cannot handle that call
 * {@link VjpContext#gFull()}. A rule returns, for each input, a cotangent whose trailing
 * dimensions broadcast against the input's value (typically the shape of {@code g} itself for
 * elementwise ops); the engine sums broadcast dimensions away in one place ("unbroadcast"), so
 * rules never do. Rules never loop over the leading axes.
 *
 * <p>A JVP receives tangents {@code [L..., *shape(input)]} and returns the output's tangent
 * {@code [L..., *shape(out)]} (size-1 dimensions allowed where it is constant).
 *
 * <h2>Second order</h2>
 * Rules are written with the same differentiable {@link Tensor} ops as forward code, so running a
 * pullback with recording on (see {@link GradMode}) yields a differentiable gradient.
 *
 * <h2>Immutability</h2>
 * Ops are immutable records; the graph never changes after the forward pass, so several threads
 * may pull back chunks of rows from it at once.
 *
 * <p>Example of an op (simplified {@code sin}):
 * <pre>{@code
 * public record Sin(Tensor x) implements Op {
 *     public static Tensor apply(Tensor x) { return Tensor.of(new Sin(x), Transforms.sin(x.value(), true)); }
 *     public String name() { return "sin"; }
 *     public List<Tensor> inputs() { return List.of(x); }
 *     public List<Tensor> vjp(VjpContext c) { return List.of(c.g().mul(x.cos())); }
 *     public Tensor jvp(JvpContext c) { return c.tangent(0).mul(x.cos()); }
 * }
 * }</pre>
 */
public interface Op {

    /** The op's name as used in error messages, e.g. {@code "matmul"}. */
    String name();

    /** The op's tensor inputs, in a fixed order that {@link #vjp} results follow. */
    List<Tensor> inputs();

    /**
     * Pulls the output cotangent back to the inputs.
     *
     * @return one entry per input: the cotangent (trailing dimensions broadcastable to the input's
     *     shape, leading {@code c.lead()} axes as in {@code g}), or {@code null} for a zero
     *     cotangent or an input whose cotangent is not needed ({@link VjpContext#needs(int)})
     */
    List<Tensor> vjp(VjpContext c);

    /**
     * Pushes input tangents forward.
     *
     * @return the output tangent {@code [L..., *shape(out)]} (size-1 dimensions allowed), or
     *     {@code null} if it is zero
     */
    Tensor jvp(JvpContext c);

    /**
     * How this op treats per-sample mode when an unbatched input (a parameter) meets a batched one.
     * Ops with a single input never mix and need not override this.
     */
    default PerSampleSupport perSampleSupport() {
        return PerSampleSupport.UNSUPPORTED;
    }
}
