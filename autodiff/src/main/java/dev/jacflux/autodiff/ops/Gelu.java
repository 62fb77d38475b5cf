package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Elementwise GELU in its exact form {@code x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))} (PyTorch's default {@code approximate='none'}); derivative {@code Phi(x) + x phi(x)}, written with differentiable ops so that second order works.
 *
 * <pre>{@code
 * Tensor h = Gelu.apply(z);   // same as z.gelu()
 * }</pre>
 */
public record Gelu(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Gelu(x), forward(x.value()));
    }

    private static INDArray forward(INDArray v) {
        INDArray e = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Erf(v.div(Math.sqrt(2.0))));
        return e.addi(1.0).muli(v).muli(0.5);
    }

    private static Tensor cdf(Tensor x) {
        return x.mul(1.0 / Math.sqrt(2.0)).erf().add(1.0).mul(0.5);
    }

    /** The elementwise derivative at {@code x} with output {@code y}, as a differentiable tensor. */
    private Tensor derivative(Tensor y) {
        return cdf(x).add(x.mul(x.square().mul(-0.5).exp()).mul(1.0 / Math.sqrt(2 * Math.PI)));
    }

    @Override
    public String name() {
        return "gelu";
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
