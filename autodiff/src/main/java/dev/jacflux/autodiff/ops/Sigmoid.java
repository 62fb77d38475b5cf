package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise logistic function; derivative {@code y (1 - y)} from the saved output.
 *
 * <pre>{@code
 * Tensor p = Sigmoid.apply(z);   // same as z.sigmoid()
 * }</pre>
 */
public record Sigmoid(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Sigmoid(x), Transforms.sigmoid(x.value(), true));
    }

    /** The elementwise derivative at {@code x} with output {@code y}, as a differentiable tensor. */
    private Tensor derivative(Tensor y) {
        return y.mul(y.neg().add(1.0));
    }

    @Override
    public String name() {
        return "sigmoid";
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
