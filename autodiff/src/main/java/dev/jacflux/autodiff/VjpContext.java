package dev.jacflux.autodiff;

/**
 * What a VJP rule sees: the primal output, the incoming cotangent with its leading basis axes, and
 * which input cotangents the engine needs.
 *
 * <pre>{@code
 * public List<Tensor> vjp(VjpContext c) {
 *     Tensor g = c.g();                                 // [L..., *shape(out)]
 *     return List.of(c.needs(0) ? g.mul(b) : null,      // engine unbroadcasts to shape(a)
 *                    c.needs(1) ? g.mul(a) : null);
 * }
 * }</pre>
 */
public interface VjpContext {

    /** The op's output tensor (its primal value). */
    Tensor out();

    /**
     * The cotangent of the output, {@code [L..., *shape(out)]}; any dimension may be 1 where the
     * cotangent is constant along it. A rule that reduces or contracts {@code g} over an axis, or
     * reshapes it across axes, must either handle such size-1 axes or use {@link #gFull()}.
     */
    Tensor g();

    /** The cotangent expanded to exactly {@code [L..., *shape(out)]}. */
    Tensor gFull();

    /** Number of leading basis axes of {@link #g()}. */
    int lead();

    /** The leading basis dimensions, {@code g().shape()[0, lead)}. */
    long[] leadShape();

    /** Whether the cotangent of input {@code i} is needed; rules may skip work when it is not. */
    boolean needs(int i);

    /**
     * Whether input {@code i} needs a per-sample cotangent {@code [L..., B, *shape(input)]}: the
     * engine is in per-sample mode, input {@code i} does not depend on the batch and the output
     * does. Only ops declaring {@link PerSampleSupport#HANDLED} need to look at this.
     */
    boolean perSample(int i);

    /** Whether the engine runs in per-sample mode at all. */
    boolean perSampleMode();

    /**
     * Where the caller wants input {@code i}'s cotangent written, or {@code null}: offered only for
     * a wanted leaf that this op is the sole consumer of, so the value written here is its whole
     * cotangent. The array has the cotangent's full shape ({@code [L..., *shape]}, per sample
     * {@code [L..., B, *shape]}) and is usually a strided view into a large result. A rule that
     * writes the cotangent into it returns {@code Tensor.constant(destination)} for that input and
     * saves the caller a copy; rules are free to ignore it.
     */
    default org.nd4j.linalg.api.ndarray.INDArray destination(int i) {
        return null;
    }
}
