package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;

/**
 * Elementwise {@code -x}.
 *
 * <pre>{@code
 * Tensor y = Neg.apply(x);   // same as x.neg()
 * }</pre>
 */
public record Neg(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Neg(x), x.value().neg());
    }

    @Override
    public String name() {
        return "neg";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(c.g().neg());
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0).neg();
    }
}
