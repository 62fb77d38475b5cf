package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Stacks tensors of one shape and dtype along a new axis (numpy {@code stack}). A composite: each
 * part is reshaped to insert a size-1 axis and the results are concatenated with {@link Concat}, so
 * the derivatives come from {@link Reshape} and {@link Concat}.
 *
 * <pre>{@code
 * Tensor y = Stack.apply(1, List.of(a, b, c));   // three [B, n] -> [B, 3, n]
 * Tensor z = Tensor.stack(-1, List.of(a, b));    // two [B, n] -> [B, n, 2]
 * }</pre>
 */
public final class Stack {
    private Stack() {
    }

    /**
     * Stacks {@code parts} along a new axis {@code axis} of the result, which has rank
     * {@code rank(part) + 1}; {@code axis} may be negative (counted from the end of the result).
     *
     * @throws AutodiffException for an empty list, a null part, differing shapes or dtypes, or an
     *     axis out of range
     */
    public static Tensor apply(int axis, List<Tensor> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new AutodiffException("stack: needs at least one tensor, got none");
        }
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) == null) {
                throw new AutodiffException("stack: part " + i + " of " + parts.size() + " is null");
            }
        }
        long[] s0 = parts.get(0).shape();
        int ax = Shapes.axis("stack: parts " + Shapes.str(s0) + " (result rank " + (s0.length + 1) + ")", axis, s0.length + 1);
        for (int i = 1; i < parts.size(); i++) {
            long[] si = parts.get(i).shape();
            if (!java.util.Arrays.equals(si, s0)) {
                throw new AutodiffException("stack: part " + i + " has shape " + Shapes.str(si) + " but part 0 has shape "
                        + Shapes.str(s0) + "; all parts need the same shape");
            }
        }
        Checks.sameDtype("stack", parts.toArray(new Tensor[0]));
        long[] expanded = new long[s0.length + 1];
        for (int d = 0, k = 0; d < expanded.length; d++) {
            expanded[d] = d == ax ? 1 : s0[k++];
        }
        List<Tensor> reshaped = new ArrayList<>(parts.size());
        for (Tensor p : parts) {
            reshaped.add(p.reshape(expanded));
        }
        return Concat.apply(ax, reshaped);
    }
}
