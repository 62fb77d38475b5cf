package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise hyperbolic tangent; derivative {@code 1 - tanh(x)^2} from the saved output.
 *
 * <pre>{@code
 * Tensor h = Tanh.apply(z);   // same as z.tanh()
 * }</pre>
 */
public record Tanh(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Tanh(x), Transforms.tanh(x.value(), true));
    }

    private Tensor derivative(Tensor y) {
        return y.square().neg().add(1.0);
    }

    @Override
    public String name() {
        return "tanh";
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
