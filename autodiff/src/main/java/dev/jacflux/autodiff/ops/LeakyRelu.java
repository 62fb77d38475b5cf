package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise leaky ReLU: {@code x} for {@code x > 0}, {@code slope * x} otherwise. The derivative
 * (1 or {@code slope}; {@code slope} at 0, as in PyTorch) is a constant mask.
 *
 * <pre>{@code
 * Tensor h = LeakyRelu.apply(z, 0.01);   // same as z.leakyRelu(0.01)
 * }</pre>
 */
public record LeakyRelu(Tensor x, double slope) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x, double slope) {
        INDArray v = x.value();
        INDArray pos = v.gt(0.0).castTo(v.dataType());
        INDArray factor = pos.mul(1.0 - slope).addi(slope);
        return Tensor.of(new LeakyRelu(x, slope), v.mul(factor));
    }

    private Tensor derivative() {
        INDArray v = x.value();
        return Tensor.constant(v.gt(0.0).castTo(v.dataType()).muli(1.0 - slope).addi(slope));
    }

    @Override
    public String name() {
        return "leaky_relu";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(c.g().mul(derivative()));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0).mul(derivative());
    }
}
