package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax along one axis, {@code y = exp(x - max) / sum(exp(x - max))}, computed stably (the maximum
 * along the axis is subtracted first). The axis may be negative.
 *
 * <p>VJP {@code y * (g - sum(g * y, axis))}, JVP {@code y * (t - sum(t * y, axis))}, both written
 * with differentiable ops on the saved output, so second order works.
 *
 * <pre>{@code
 * Tensor p = Softmax.apply(logits, -1);   // [B, C], each row sums to 1; same as logits.softmax(-1)
 * }</pre>
 *
 * @param x the input
 * @param axis the axis, normalised to {@code [0, rank)}
 */
public record Softmax(Tensor x, int axis) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x, int axis) {
        int ax = Shapes.axis("softmax: input " + Shapes.str(x.shape()), axis, x.rank());
        INDArray e = Transforms.exp(shifted(x.value(), ax), false);
        INDArray y = Elementwise.broadcastBoth(e, e.sum(true, ax), e.shape(), Elementwise.Binary.DIV);
        return Tensor.of(new Softmax(x, ax), y);
    }

    /** {@code v - max(v, axis)} as a fresh array. */
    static INDArray shifted(INDArray v, int axis) {
        return Elementwise.broadcastBoth(v, v.max(true, axis), v.shape(), Elementwise.Binary.SUB);
    }

    @Override
    public String name() {
        return "softmax";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor y = c.out();
        Tensor g = c.g();
        // g * y is full along the axis (y is), so a g that is constant along it needs no expansion
        return List.of(y.mul(g.sub(g.mul(y).sum(true, c.lead() + axis))));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor y = c.out();
        Tensor t = c.tangent(0);
        return y.mul(t.sub(t.mul(y).sum(true, c.lead() + axis)));
    }
}
