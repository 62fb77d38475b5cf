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
 * Log-softmax along one axis, {@code y = (x - max) - log(sum(exp(x - max)))}, stable for large
 * inputs. The axis may be negative.
 *
 * <p>VJP {@code g - exp(y) * sum(g, axis)} (a cotangent that is size 1 along the axis stands for
 * {@code n} equal entries, so its sum is {@code n * g}); JVP {@code t - sum(t * exp(y), axis)}. Both
 * use differentiable ops on the saved output, so second order works.
 *
 * <pre>{@code
 * Tensor logp = LogSoftmax.apply(logits, 1);   // [B, C]; same as logits.logSoftmax(1)
 * }</pre>
 *
 * @param x the input
 * @param axis the axis, normalised to {@code [0, rank)}
 */
public record LogSoftmax(Tensor x, int axis) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x, int axis) {
        int ax = Shapes.axis("log_softmax: input " + Shapes.str(x.shape()), axis, x.rank());
        INDArray z = Softmax.shifted(x.value(), ax);
        INDArray logSum = Transforms.log(Transforms.exp(z, true).sum(true, ax), false);
        return Tensor.of(new LogSoftmax(x, ax), Elementwise.broadcastBoth(z, logSum, z.shape(), Elementwise.Binary.SUB));
    }

    @Override
    public String name() {
        return "log_softmax";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        int a = c.lead() + axis;
        long n = x.shape()[axis];
        Tensor total = g.shape()[a] == n ? g.sum(true, a) : g.mul((double) n);
        return List.of(g.sub(c.out().exp().mul(total)));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor t = c.tangent(0);
        return t.sub(t.mul(c.out().exp()).sum(true, c.lead() + axis));
    }
}
