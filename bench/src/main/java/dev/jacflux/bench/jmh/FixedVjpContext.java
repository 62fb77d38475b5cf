package dev.jacflux.bench.jmh;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.Arrays;

/**
 * A {@link VjpContext} for calling one op's VJP rule directly, outside the engine: a fixed output,
 * cotangent and set of needed inputs, no per-sample mode.
 *
 * <pre>{@code
 * VjpContext c = new FixedVjpContext(y, g, new boolean[] {true, false});   // only d/d(input 0)
 * List<Tensor> cotangents = y.op().vjp(c);
 * }</pre>
 */
public final class FixedVjpContext implements VjpContext {
    private final Tensor out;
    private final Tensor g;
    private final boolean[] needs;
    private Tensor gFull;

    /** For output {@code out}, cotangent {@code g [L..., *shape(out)]}, and the inputs whose cotangent is needed. */
    public FixedVjpContext(Tensor out, Tensor g, boolean[] needs) {
        this.out = out;
        this.g = g;
        this.needs = needs.clone();
    }

    @Override
    public Tensor out() {
        return out;
    }

    @Override
    public Tensor g() {
        return g;
    }

    @Override
    public Tensor gFull() {
        if (gFull == null) {
            long[] full = Shapes.concat(leadShape(), out.shape());
            gFull = Arrays.equals(full, g.shape()) ? g : g.broadcastTo(full);
        }
        return gFull;
    }

    @Override
    public int lead() {
        return g.rank() - out.rank();
    }

    @Override
    public long[] leadShape() {
        return Shapes.range(g.shape(), 0, lead());
    }

    @Override
    public boolean needs(int i) {
        return i < needs.length && needs[i];
    }

    @Override
    public boolean perSample(int i) {
        return false;
    }

    @Override
    public boolean perSampleMode() {
        return false;
    }
}
