package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise absolute value; derivative {@code sign(x)} (0 at 0, as in PyTorch), treated as a constant.
 *
 * <pre>{@code
 * Tensor a = Abs.apply(x);   // same as x.abs()
 * }</pre>
 */
public record Abs(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Abs(x), Transforms.abs(x.value(), true));
    }

    /** The elementwise derivative at {@code x} with output {@code y}, as a differentiable tensor. */
    private Tensor derivative(Tensor y) {
        return Tensor.constant(Transforms.sign(x.value(), true));
    }

    @Override
    public String name() {
        return "abs";
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
