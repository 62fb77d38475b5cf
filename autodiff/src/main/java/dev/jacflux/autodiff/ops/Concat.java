package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Concatenates tensors of one dtype along an existing axis; all other sizes must agree. The axis may
 * be negative.
 *
 * <p>VJP: each part's cotangent is its slice of {@code g} (or {@code g} itself where {@code g} is
 * constant along the axis). JVP: the concatenation of the tangents, with zeros for parts whose
 * tangent is zero.
 *
 * <pre>{@code
 * Tensor y = Concat.apply(1, List.of(a, b, c));   // [B, 2], [B, 3], [B, 1] -> [B, 6]
 * Tensor z = Tensor.concat(-1, List.of(a, b));    // the same via Tensor
 * }</pre>
 *
 * @param parts the concatenated tensors, in order
 * @param axis the axis, normalised to {@code [0, rank)}
 */
public record Concat(List<Tensor> parts, int axis) implements Op {

    /** An immutable copy of the parts. */
    public Concat {
        parts = List.copyOf(parts);
    }

    /**
     * Forward pass: validates the parts and concatenates their values into a fresh array.
     *
     * @throws AutodiffException for an empty list, a null part, scalars, differing dtypes, ranks or
     *     sizes off the axis, or an axis out of range
     */
    public static Tensor apply(int axis, List<Tensor> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new AutodiffException("concat: needs at least one tensor, got none");
        }
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) == null) {
                throw new AutodiffException("concat: part " + i + " of " + parts.size() + " is null");
            }
        }
        Tensor first = parts.get(0);
        long[] s0 = first.shape();
        if (s0.length == 0) {
            throw new AutodiffException("concat: cannot concatenate scalars (shape []); reshape them to [1] or use stack");
        }
        int ax = Shapes.axis("concat: part 0 " + Shapes.str(s0), axis, s0.length);
        Checks.sameDtype("concat", parts.toArray(new Tensor[0]));
        INDArray[] values = new INDArray[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            long[] si = parts.get(i).shape();
            boolean ok = si.length == s0.length;
            for (int d = 0; ok && d < si.length; d++) {
                ok = d == ax || si[d] == s0[d];
            }
            if (!ok) {
                throw new AutodiffException("concat: along axis " + axis + ", part " + i + " has shape " + Shapes.str(si)
                        + " but part 0 has shape " + Shapes.str(s0) + "; all parts need the same rank and the same sizes"
                        + " except along the axis");
            }
            values[i] = parts.get(i).value();
        }
        INDArray out = values.length == 1 ? values[0].dup('c') : Nd4j.concat(ax, values);
        return Tensor.of(new Concat(parts, ax), out);
    }

    @Override
    public String name() {
        return "concat";
    }

    @Override
    public List<Tensor> inputs() {
        return parts;
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        Tensor g = c.g();
        int a = c.lead() + axis;
        boolean constant = g.shape()[a] == 1;
        List<Tensor> out = new ArrayList<>(parts.size());
        long offset = 0;
        for (int i = 0; i < parts.size(); i++) {
            long n = parts.get(i).shape()[axis];
            if (!c.needs(i)) {
                out.add(null);
            } else if (constant) {
                out.add(g);
            } else {
                out.add(Slice.apply(g, a, offset, offset + n, 1));
            }
            offset += n;
        }
        return out;
    }

    @Override
    public Tensor jvp(JvpContext c) {
        long[] leadShape = null;
        for (int i = 0; i < parts.size() && leadShape == null; i++) {
            Tensor t = c.tangent(i);
            if (t != null) {
                leadShape = Shapes.range(t.shape(), 0, c.lead());
            }
        }
        if (leadShape == null) {
            return null;
        }
        List<Tensor> tangents = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            Tensor t = c.tangent(i);
            if (t == null) {
                Tensor p = parts.get(i);
                t = Tensor.constant(Nd4j.zeros(p.dtype(), Shapes.concat(leadShape, p.shape())));
            }
            tangents.add(t);
        }
        return Concat.apply(c.lead() + axis, tangents);
    }
}
