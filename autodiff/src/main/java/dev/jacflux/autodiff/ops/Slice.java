package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Basic slicing along one axis with numpy semantics {@code x[..., start:end:step, ...]} for
 * non-negative {@code start} and {@code end}: {@code end} is clipped to the axis length, {@code step}
 * is at least 1 and the selection must not be empty. The axis may be negative (counted from the end).
 *
 * <p>The VJP scatters the cotangent back into zeros of the input's shape ({@link SliceScatter}, itself
 * differentiable). A cotangent that is constant (size 1) along a non-sliced axis stays so.
 *
 * <pre>{@code
 * Tensor evens = Slice.apply(x, -1, 0, Long.MAX_VALUE, 2);   // x [B, 6] -> [B, 3]: columns 0, 2, 4
 * Tensor head = x.slice(0, 0, 2);                            // the first two rows
 * }</pre>
 *
 * @param x the input
 * @param axis the sliced axis, normalised to {@code [0, rank)}
 * @param start first index taken
 * @param end exclusive end, already clipped to the axis length
 * @param step distance between taken indices ({@code >= 1})
 */
public record Slice(Tensor x, int axis, long start, long end, long step) implements Op {

    /**
     * Forward pass: validates the range and copies the selected elements.
     *
     * @throws AutodiffException for a rank-0 input, an axis out of range, a negative start or end, a
     *     step below 1, or an empty selection
     */
    public static Tensor apply(Tensor x, int axis, long start, long end, long step) {
        long[] shape = x.shape();
        if (shape.length == 0) {
            throw new AutodiffException("slice: cannot slice a scalar (shape [])");
        }
        int ax = Shapes.axis("slice: input " + Shapes.str(shape), axis, shape.length);
        long n = shape[ax];
        String where = "slice: input " + Shapes.str(shape) + ", axis " + axis + " (size " + n + "), range "
                + start + ":" + end + ":" + step;
        if (step < 1) {
            throw new AutodiffException(where + ": step must be >= 1");
        }
        if (start < 0 || end < 0) {
            throw new AutodiffException(where + ": start and end must be >= 0 (negative indexes are not supported;"
                    + " use size - k)");
        }
        long e = Math.min(end, n);
        if (start >= e) {
            throw new AutodiffException(where + ": the selection is empty (start must be below min(end, size) = " + e + ")");
        }
        INDArray v = x.value().get(indices(shape.length, ax, start, e, step)).dup('c');
        return Tensor.of(new Slice(x, ax, start, e, step), v);
    }

    /** Number of indices {@code start, start+step, ...} below {@code end}. */
    static long count(long start, long end, long step) {
        return (end - start + step - 1) / step;
    }

    /** ND4J indices selecting {@code start:end:step} along {@code axis} of an array of rank {@code rank}. */
    static INDArrayIndex[] indices(int rank, int axis, long start, long end, long step) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int i = 0; i < rank; i++) {
            idx[i] = NDArrayIndex.all();
        }
        idx[axis] = NDArrayIndex.interval(start, step, end);
        return idx;
    }

    @Override
    public String name() {
        return "slice";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        int a = c.lead() + axis;
        long[] gs = g.shape();
        long m = count(start, end, step);
        if (gs[a] != m) {
            // constant along the sliced axis: expand that axis only, the scatter is not constant along it
            gs[a] = m;
            g = g.broadcastTo(gs);
        }
        long[] full = gs.clone();
        full[a] = x.shape()[axis];
        return List.of(SliceScatter.apply(g, full, a, start, step));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return Slice.apply(c.tangent(0), c.lead() + axis, start, end, step);
    }
}
