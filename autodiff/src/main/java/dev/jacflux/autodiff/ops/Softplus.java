package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise {@code log(1 + e^x)}, computed as {@code max(x, 0) + log1p(e^-|x|)} so that large inputs neither overflow nor lose precision; derivative {@code sigmoid(x)}.
 *
 * <pre>{@code
 * Tensor s = Softplus.apply(z);   // same as z.softplus()
 * }</pre>
 */
public record Softplus(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        return Tensor.of(new Softplus(x), stable(x.value()));
    }

    private static INDArray stable(INDArray v) {
        INDArray pos = Transforms.relu(v, true);
        INDArray tail = Transforms.log1p(Transforms.exp(Transforms.abs(v, true).negi(), false), false);
        return pos.addi(tail);
    }

    /** The elementwise derivative at {@code x} with output {@code y}, as a differentiable tensor. */
    private Tensor derivative(Tensor y) {
        return x.sigmoid();
    }

    @Override
    public String name() {
        return "softplus";
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
