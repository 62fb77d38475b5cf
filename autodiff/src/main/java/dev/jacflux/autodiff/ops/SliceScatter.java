package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scatters {@code g} into zeros of {@code fullShape} at the indices {@code start, start+step, ...}
 * along {@code axis}: the adjoint of {@link Slice}, used by its VJP. It is linear, so its VJP is a
 * {@link Slice} of the cotangent and its JVP a {@code SliceScatter} of the tangent.
 *
 * <pre>{@code
 * Tensor g = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 2, 3));
 * Tensor z = SliceScatter.apply(g, new long[]{2, 6}, 1, 0, 2);   // [2, 6], ones in columns 0, 2, 4
 * }</pre>
 *
 * @param g the scattered values; its shape is {@code fullShape} except along {@code axis}
 * @param fullShape the result's shape
 * @param axis the axis along which {@code g} is placed, normalised to {@code [0, rank)}
 * @param start the index of {@code g}'s first slice in the result
 * @param step the distance between consecutive slices of {@code g} in the result ({@code >= 1})
 */
public record SliceScatter(Tensor g, long[] fullShape, int axis, long start, long step) implements Op {

    /**
     * Forward pass: validates that the slices of {@code g} fit into {@code fullShape} and writes them
     * into a fresh array of zeros.
     */
    public static Tensor apply(Tensor g, long[] fullShape, int axis, long start, long step) {
        long[] gs = g.shape();
        String where = "slice_scatter: values " + Shapes.str(gs) + " into " + Shapes.str(fullShape) + " along axis " + axis
                + " from " + start + " step " + step;
        if (gs.length != fullShape.length || gs.length == 0) {
            throw new AutodiffException(where + ": values and result must have the same rank >= 1");
        }
        int ax = Shapes.axis("slice_scatter: result " + Shapes.str(fullShape), axis, fullShape.length);
        for (int i = 0; i < gs.length; i++) {
            if (i != ax && gs[i] != fullShape[i]) {
                throw new AutodiffException(where + ": sizes must agree on every axis but " + ax + " (axis " + i + ": "
                        + gs[i] + " vs " + fullShape[i] + ")");
            }
        }
        long m = gs[ax];
        if (step < 1 || start < 0 || m < 1 || start + (m - 1) * step >= fullShape[ax]) {
            throw new AutodiffException(where + ": " + m + " slices do not fit into size " + fullShape[ax]
                    + " (need step >= 1, start >= 0 and start + (count - 1) * step < size)");
        }
        long end = start + (m - 1) * step + 1;
        INDArray out = Nd4j.zeros(g.dtype(), fullShape);
        out.put(Slice.indices(fullShape.length, ax, start, end, step), g.value());
        return Tensor.of(new SliceScatter(g, fullShape.clone(), ax, start, step), out);
    }

    private long end() {
        return start + (g.shape()[axis] - 1) * step + 1;
    }

    @Override
    public String name() {
        return "slice_scatter";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(g);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor h = c.g();
        int a = c.lead() + axis;
        if (h.shape()[a] == 1 && fullShape[axis] != 1) {
            // constant along the axis: every slice of it is the same, size 1 broadcasts to g's shape
            return List.of(h);
        }
        return List.of(Slice.apply(h, a, start, end(), step));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        Tensor t = c.tangent(0);
        long[] ts = t.shape();
        long[] full = Shapes.concat(Shapes.range(ts, 0, c.lead()), fullShape);
        return SliceScatter.apply(t, full, c.lead() + axis, start, step);
    }
}
