package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.PerSampleSupport;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise {@code a ^ b} with numpy broadcasting. Derivatives {@code b a^(b-1)} and
 * {@code a^b log(a)}; the latter is only computed when the exponent needs a cotangent (a constant
 * exponent such as {@code x.pow(2.0)} never takes a logarithm of a negative base).
 *
 * <pre>{@code
 * Tensor sq = Pow.apply(x, Tensor.scalar(2.0, x.dtype()));   // same as x.pow(2.0)
 * }</pre>
 */
public record Pow(Tensor a, Tensor b) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDtype("pow", a, b);
        long[] shape = Shapes.broadcast("pow", a.shape(), b.shape());
        INDArray base = Elementwise.expand(a.value(), shape);
        INDArray exp = Elementwise.expand(b.value(), shape);
        INDArray y = b.rank() == 0 ? Transforms.pow(base, b.value().getDouble(0), true) : Transforms.pow(base, exp, true);
        return Tensor.of(new Pow(a, b), y);
    }

    @Override
    public String name() {
        return "pow";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(a, b);
    }

    private Tensor dA() {
        return b.mul(a.pow(b.sub(1.0)));
    }

    private Tensor dB(Tensor y) {
        return y.mul(a.log());
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        return Arrays.asList(c.needs(0) ? g.mul(dA()) : null, c.needs(1) ? g.mul(dB(c.out())) : null);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor ta = c.tangentAligned(0);
        Tensor tb = c.tangentAligned(1);
        return Tensor.addNullable(ta == null ? null : ta.mul(dA()), tb == null ? null : tb.mul(dB(c.out())));
    }

    @Override
    public PerSampleSupport perSampleSupport() {
        return PerSampleSupport.BROADCAST;
    }
}
