package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise ELU: {@code x} for {@code x > 0}, {@code alpha (e^x - 1)} otherwise. Derivative 1 or
 * {@code y + alpha} (from the saved output, so that second order works).
 *
 * <pre>{@code
 * Tensor h = Elu.apply(z, 1.0);   // same as z.elu(1.0)
 * }</pre>
 */
public record Elu(Tensor x, double alpha) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x, double alpha) {
        INDArray v = x.value();
        INDArray pos = v.gt(0.0).castTo(v.dataType());
        INDArray neg = Transforms.exp(v, true).subi(1.0).muli(alpha);
        // pos * x + (1 - pos) * alpha (e^x - 1)
        INDArray y = v.mul(pos).addi(neg.muli(pos.rsub(1.0)));
        return Tensor.of(new Elu(x, alpha), y);
    }

    private Tensor derivative(Tensor y) {
        INDArray v = x.value();
        Tensor pos = Tensor.constant(v.gt(0.0).castTo(v.dataType()));
        Tensor neg = Tensor.constant(v.gt(0.0).castTo(v.dataType()).rsubi(1.0));
        return pos.add(neg.mul(y.add(alpha)));
    }

    @Override
    public String name() {
        return "elu";
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
