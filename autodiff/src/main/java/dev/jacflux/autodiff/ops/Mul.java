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
 * Elementwise {@code a * b} with numpy broadcasting.
 *
 * <pre>{@code
 * Tensor y = Mul.apply(x, scale);   // same as x.mul(scale)
 * }</pre>
 */
public record Mul(Tensor a, Tensor b) implements Op {

    /** Forward pass: validates dtypes and shapes, computes and records {@code a * b}. */
    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDtype("mul", a, b);
        long[] shape = Shapes.broadcast("mul", a.shape(), b.shape());
        return Tensor.of(new Mul(a, b), Elementwise.broadcastBoth(a.value(), b.value(), shape, Elementwise.Binary.MUL));
    }

    @Override
    public String name() {
        return "mul";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(a, b);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        return Arrays.asList(c.needs(0) ? g.mul(b) : null, c.needs(1) ? g.mul(a) : null);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor ta = c.tangentAligned(0);
        Tensor tb = c.tangentAligned(1);
        return Tensor.addNullable(ta == null ? null : ta.mul(b), tb == null ? null : tb.mul(a));
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.BROADCAST;
    }
}
