package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import dev.jacflux.autodiff.engine.CotangentFit;
import java.util.List;

/**
 * Broadcasts (materialises) a tensor to a larger shape under numpy rules (a tensor already of that
 * shape is returned as it is). Its VJP is the engine's
 * unbroadcast (a sum over the broadcast axes).
 *
 * <pre>{@code
 * Tensor tiled = BroadcastTo.apply(bias, 8, 16);   // bias [16] -> [8, 16]; same as bias.broadcastTo(8, 16)
 * }</pre>
 */
public record BroadcastTo(Tensor x, long[] shape) implements Op {

    /** Forward pass; validates that {@code x} broadcasts to {@code shape}. */
    public static Tensor apply(Tensor x, long... shape) {
        if (!Shapes.broadcastsTo(x.shape(), shape)) {
            throw new AutodiffException("broadcast_to: cannot broadcast " + Shapes.str(x.shape()) + " to " + Shapes.str(shape)
                    + " (sizes must match or be 1, aligned from the right)");
        }
        if (java.util.Arrays.equals(x.shape(), shape)) {
            return x;
        }
        return Tensor.of(new BroadcastTo(x, shape.clone()), Elementwise.expand(x.value(), shape).dup('c'));
    }

    @Override
    public String name() {
        return "broadcast_to";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(CotangentFit.fit(name(), c.g(), c.lead(), x.shape(), false, shape));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangentAligned(0);
    }
}
