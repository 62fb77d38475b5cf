package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise sine; derivative {@code cos(x)}.
 *
 * <pre>{@code
 * Tensor s = Sin.apply(x);   // same as x.sin()
 * }</pre>
 */
public record Sin(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Sin(x), Transforms.sin(x.value(), true));
    }

    /** The elementwise derivative at {@code x} with output {@code y}, as a differentiable tensor. */
    private Tensor derivative(Tensor y) {
        return x.cos();
    }

    @Override
    public String name() {
        return "sin";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(c.g().mul(derivative(c.out())));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0).mul(derivative(c.out()));
    }
}
