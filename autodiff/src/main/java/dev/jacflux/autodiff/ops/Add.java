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
 * Elementwise {@code a + b} with numpy broadcasting.
 *
 * <pre>{@code
 * Tensor y = Add.apply(x, bias);   // x [B, n], bias [n] -> [B, n]; same as x.add(bias)
 * }</pre>
 */
public record Add(Tensor a, Tensor b) implements Op {

    /** Forward pass: validates dtypes and shapes, computes and records {@code a + b}. */
    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDtype("add", a, b);
        long[] shape = Shapes.broadcast("add", a.shape(), b.shape());
        return Tensor.of(new Add(a, b), Elementwise.broadcastBoth(a.value(), b.value(), shape, Elementwise.Binary.ADD));
    }

    @Override
    public String name() {
        return "add";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(a, b);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return Arrays.asList(c.needs(0) ? c.g() : null, c.needs(1) ? c.g() : null);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return Tensor.addNullable(c.tangentAligned(0), c.tangentAligned(1));
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.BROADCAST;
    }
}
