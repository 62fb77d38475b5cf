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
 * Elementwise {@code a / b} with numpy broadcasting. Division by zero gives IEEE infinities or
 * NaN, which propagate; nothing is clamped.
 *
 * <pre>{@code
 * Tensor p = Div.apply(e, e.sum(true, -1));   // same as e.div(e.sum(true, -1))
 * }</pre>
 */
public record Div(Tensor a, Tensor b) implements Op {

    /** Forward pass: validates dtypes and shapes, computes and records {@code a / b}. */
    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDtype("div", a, b);
        long[] shape = Shapes.broadcast("div", a.shape(), b.shape());
        return Tensor.of(new Div(a, b), Elementwise.broadcastBoth(a.value(), b.value(), shape, Elementwise.Binary.DIV));
    }

    @Override
    public String name() {
        return "div";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(a, b);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        // d(a/b)/da = 1/b ; d(a/b)/db = -a/b^2 = -out/b
        return Arrays.asList(c.needs(0) ? g.div(b) : null, c.needs(1) ? g.mul(c.out()).div(b).neg() : null);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor ta = c.tangentAligned(0);
        Tensor tb = c.tangentAligned(1);
        return Tensor.addNullable(ta == null ? null : ta.div(b), tb == null ? null : tb.mul(c.out()).div(b).neg());
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.BROADCAST;
    }
}
