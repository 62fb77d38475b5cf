package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise {@code e^x}; derivative is the output itself.
 *
 * <pre>{@code
 * Tensor e = Exp.apply(x);   // same as x.exp()
 * }</pre>
 */
public record Exp(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Exp(x), Transforms.exp(x.value(), true));
    }

    @Override
    public String name() {
        return "exp";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(c.g().mul(c.out()));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0).mul(c.out());
    }
}
