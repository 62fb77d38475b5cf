package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise {@code max(x, 0)}; derivative 1 for {@code x > 0} and 0 otherwise (0 at 0, as in PyTorch).
 *
 * <pre>{@code
 * Tensor h = Relu.apply(z);   // same as z.relu()
 * }</pre>
 */
public record Relu(Tensor x) implements Op {

    /** Forward pass. */
    public static Tensor apply(Tensor x) {
        INDArray xv = x.value();
        if (NativeMemory.AVAILABLE && NativeMemory.isDense(xv) && xv.length() > 0) {
            INDArray y = Nd4j.createUninitialized(xv.dataType(), xv.shape());
            ElementwiseKernel.relu(xv, y);
            return Tensor.of(new Relu(x), y);
        }
        return Tensor.of(new Relu(x), Transforms.relu(xv, true));
    }

    /** The elementwise derivative at {@code x} with output {@code y}, as a differentiable tensor. */
    private Tensor derivative(Tensor y) {
        return Tensor.constant(x.value().gt(0.0).castTo(x.dtype()));
    }

    @Override
    public String name() {
        return "relu";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor direct = masked(c.g());
        return List.of(direct != null ? direct : c.g().mul(derivative(c.out())));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor direct = masked(c.tangent(0));
        return direct != null ? direct : c.tangent(0).mul(derivative(c.out()));
    }

    /**
     * {@code t * (x > 0)} in one pass over memory for a first-order (not recorded) rule, when
     * {@code t} is dense {@code [L..., *shape(x)]}: no mask array and no broadcast op (the same
     * products as the recorded rule, so NaN and infinities in {@code t} propagate alike); else null.
     */
    private Tensor masked(Tensor t) {
        if (GradMode.isRecording() || !NativeMemory.AVAILABLE || t.dtype() != x.dtype()) {
            return null;
        }
        INDArray tv = t.value();
        INDArray xv = x.value();
        long n = xv.length();
        if (n == 0 || tv.length() % n != 0 || !NativeMemory.isDense(tv) || !NativeMemory.isDense(xv)
                || !java.util.Arrays.equals(Shapes.range(tv.shape(), tv.rank() - xv.rank(), tv.rank()), xv.shape())) {
            return null;
        }
        INDArray out = Nd4j.createUninitialized(tv.dataType(), tv.shape());
        ElementwiseKernel.timesPositive(tv, xv, out);
        return Tensor.constant(out);
    }
}
