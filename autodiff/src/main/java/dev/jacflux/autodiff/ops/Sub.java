package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.PerSampleSupport;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.Arrays;
import java.util.List;

/**
 * Elementwise {@code a - b} with numpy broadcasting.
 *
 * <pre>{@code
 * Tensor d = Sub.apply(pred, target);   // same as pred.sub(target)
 * }</pre>
 */
public record Sub(Tensor a, Tensor b) implements Op {

    /** Forward pass: validates dtypes and shapes, computes and records {@code a - b}. */
    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDtype("sub", a, b);
        long[] shape = Shapes.broadcast("sub", a.shape(), b.shape());
        return Tensor.of(new Sub(a, b), Elementwise.broadcastBoth(a.value(), b.value(), shape, Elementwise.Binary.SUB));
    }

    @Override
    public String name() {
        return "sub";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(a, b);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return Arrays.asList(c.needs(0) ? c.g() : null, c.needs(1) ? c.g().neg() : null);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor tb = c.tangentAligned(1);
        return Tensor.addNullable(c.tangentAligned(0), tb == null ? null : tb.neg());
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.BROADCAST;
    }
}
