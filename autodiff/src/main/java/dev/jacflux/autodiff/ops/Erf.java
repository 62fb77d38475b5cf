package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Elementwise error function; derivative {@code 2/sqrt(pi) exp(-x^2)}.
 *
 * <pre>{@code
 * Tensor e = Erf.apply(x);   // same as x.erf()
 * }</pre>
 */
public record Erf(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Erf(x), Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Erf(x.value().dup())));
    }

    /** The elementwise derivative at {@code x} with output {@code y}, as a differentiable tensor. */
    private Tensor derivative(Tensor y) {
        return x.square().neg().exp().mul(2.0 / Math.sqrt(Math.PI));
    }

    @Override
    public String name() {
        return "erf";
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
