package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sum over axes (all axes when none are given), optionally keeping them as size 1.
 *
 * <p>The VJP only reshapes the cotangent to put size-1 axes back: the result is constant along the
 * summed axes and is never expanded.
 *
 * <pre>{@code
 * Tensor s = Sum.apply(x, false, 1);   // x [B, n] -> [B]; same as x.sum(1)
 * }</pre>
 */
public record Sum(Tensor x, boolean keepDims, int[] axes) implements Op {

    /** Forward pass; {@code axes} may be negative, empty means all. */
    public static Tensor apply(Tensor x, boolean keepDims, int... axes) {
        int[] ax = Checks.axes("sum", axes, x.rank());
        return Tensor.of(new Sum(x, keepDims, ax), reduce(x.value(), keepDims, ax));
    }

    static INDArray reduce(INDArray v, boolean keepDims, int[] ax) {
        if (ax.length == 0) {
            return v.dup();
        }
        INDArray r = v.sum(true, ax);
        return keepDims ? r : r.reshape(reducedShape(v.shape(), ax));
    }

    static long[] reducedShape(long[] shape, int[] ax) {
        long[] out = new long[shape.length - ax.length];
        int k = 0;
        int j = 0;
        for (int i = 0; i < shape.length; i++) {
            if (j < ax.length && ax[j] == i) {
                j++;
            } else {
                out[k++] = shape[i];
            }
        }
        return out;
    }

    static long[] keptShape(long[] shape, int[] ax) {
        long[] out = shape.clone();
        for (int a : ax) {
            out[a] = 1;
        }
        return out;
    }

    @Override
    public String name() {
        return "sum";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(restoreAxes(c.g(), c.lead(), x.shape(), keepDims, axes));
    }

    /** Reshapes a cotangent of the reduced value to the input's rank with size-1 reduced axes. */
    static Tensor restoreAxes(Tensor g, int lead, long[] inShape, boolean keepDims, int[] axes) {
        if (keepDims || axes.length == 0) {
            return g;
        }
        long[] gs = g.shape();
        long[] trailing = Shapes.range(gs, lead, gs.length);
        long[] target = new long[inShape.length];
        int k = 0;
        int j = 0;
        for (int i = 0; i < inShape.length; i++) {
            if (j < axes.length && axes[j] == i) {
                target[i] = 1;
                j++;
            } else {
                target[i] = trailing[k++];
            }
        }
        return g.reshape(Shapes.concat(Shapes.range(gs, 0, lead), target));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0).sum(keepDims, Checks.shift(axes, c.lead()));
    }
}
