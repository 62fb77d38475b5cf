package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.CotangentFit;

/**
 * Sums a tensor down to a shape it broadcasts from: the adjoint of {@link BroadcastTo}. A
 * composite of {@link Sum} and {@link Reshape}, so its derivatives come from theirs.
 *
 * <pre>{@code
 * Tensor gb = SumTo.apply(g, 16);   // g [8, 16] -> [16]; same as g.sumTo(16)
 * }</pre>
 */
public final class SumTo {
    private SumTo() {
    }

    /** Sums {@code x} over the axes that {@code shape} broadcasts along. */
    public static Tensor apply(Tensor x, long... shape) {
        if (!Shapes.broadcastsTo(shape, x.shape())) {
            throw new AutodiffException("sum_to: " + Shapes.str(x.shape()) + " is not a broadcast of " + Shapes.str(shape));
        }
        return CotangentFit.fit("sum_to", x, 0, shape, false, null);
    }
}
