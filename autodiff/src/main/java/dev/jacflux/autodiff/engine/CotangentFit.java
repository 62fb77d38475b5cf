package dev.jacflux.autodiff.engine;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one place where broadcasting is undone ("unbroadcast"): a rule returns a cotangent aligned
 * with its output, and this sums it down to the input's shape.
 *
 * <p>A size-1 dimension of a cotangent means "the same value all along this axis". Such
 * dimensions are kept where the input has the full size (no cotangent is expanded here), and where
 * the input was broadcast along that axis the sum of equal values becomes a multiplication by the
 * axis's logical size.
 *
 * <p>In per-sample mode the batch axis of an unbatched input's cotangent is kept instead of summed:
 * the result is {@code [L..., B, *shape(input)]}.
 *
 * <pre>{@code
 * // g [K, B, n] from "x [B, n] + bias [n]"; bias needs [K, n] (or [K, B, n] per sample)
 * Tensor gb = CotangentFit.fit("add", g, 1, new long[]{n}, false, new long[]{B, n});
 * }</pre>
 */
public final class CotangentFit {
    private CotangentFit() {
    }

    /**
     * Sums {@code c} ({@code [L..., *r]}) down to {@code [L..., *target]} (or per sample to
     * {@code [L..., B, *target]}), leaving size-1 dimensions of {@code c} as they are where the
     * input has the full size.
     *
     * @param op name of the op whose rule produced {@code c}, for error messages
     * @param c cotangent returned by the rule
     * @param lead number of leading basis axes
     * @param target shape of the input value
     * @param keepBatch keep {@code r[0]} (the batch axis) as a per-sample axis
     * @param logical the sizes that {@code r} stands for (the output shape for elementwise ops), used
     *     to scale sums over size-1 axes; {@code null} if {@code r} has no size-1 axis standing for a
     *     larger one where the input is broadcast
     */
    public static Tensor fit(String op, Tensor c, int lead, long[] target, boolean keepBatch, long[] logical) {
        long[] cs = c.shape();
        if (cs.length < lead) {
            throw new AutodiffException(op + ": internal error: cotangent " + Shapes.str(cs)
                    + " has fewer than " + lead + " leading axes");
        }
        long[] leadShape = Shapes.range(cs, 0, lead);
        long[] r = Shapes.range(cs, lead, cs.length);
        if (logical != null && logical.length != r.length) {
            logical = null;
        }
        if (!keepBatch && r.length < target.length) {
            // right-aligned broadcasting: the rule returned fewer axes; pad with size-1 axes
            r = Shapes.padLeft(r, target.length);
            c = c.reshape(Shapes.concat(leadShape, r));
            logical = null;
        }
        int kept = 0;
        long[] t = target;
        boolean insertBatchAxis = false;
        if (keepBatch) {
            if (r.length == 0) {
                throw new AutodiffException(op + ": per-sample mode: the output has no batch axis");
            }
            kept = 1;
            if (target.length == r.length) {
                if (target[0] != 1) {
                    throw new AutodiffException(op + ": per-sample mode: an input that does not depend on the batch has shape "
                            + Shapes.str(target) + " with size " + target[0] + " along the batch axis; only parameters that"
                            + " broadcast over the batch (size 1 or absent there) are supported");
                }
                t = Shapes.range(target, 1, target.length);
                insertBatchAxis = true;
            } else if (target.length > r.length) {
                throw new AutodiffException(op + ": per-sample mode: an input of shape " + Shapes.str(target)
                        + " has more dimensions than the batched output " + Shapes.str(r));
            }
        }
        int extra = r.length - kept - t.length;
        if (extra < 0) {
            throw new AutodiffException(op + ": internal error: cotangent " + Shapes.str(cs)
                    + " does not reduce to the input shape " + Shapes.str(target));
        }
        List<Integer> sumAxes = new ArrayList<>();
        double scale = 1;
        long[] result = new long[lead + kept + t.length + (insertBatchAxis ? 1 : 0)];
        System.arraycopy(leadShape, 0, result, 0, lead);
        int pos = lead;
        if (kept == 1) {
            result[pos++] = r[0];
            if (insertBatchAxis) {
                result[pos++] = 1;
            }
        }
        for (int e = 0; e < extra; e++) {
            int ax = kept + e;
            if (r[ax] > 1) {
                sumAxes.add(lead + ax);
            } else if (logical != null) {
                scale *= logical[ax];
            }
        }
        for (int j = 0; j < t.length; j++) {
            int ax = kept + extra + j;
            long rj = r[ax];
            long tj = t[j];
            if (rj == 1) {
                if (tj == 1 && logical != null) {
                    scale *= logical[ax];
                }
                result[pos++] = 1;
            } else if (tj == 1) {
                sumAxes.add(lead + ax);
                result[pos++] = 1;
            } else if (rj == tj) {
                result[pos++] = tj;
            } else {
                throw new AutodiffException(op + ": internal error: cotangent " + Shapes.str(cs)
                        + " does not reduce to the input shape " + Shapes.str(target));
            }
        }
        Tensor out = c;
        if (!sumAxes.isEmpty()) {
            out = out.sum(true, sumAxes.stream().mapToInt(Integer::intValue).toArray());
        }
        if (!Arrays.equals(out.shape(), result)) {
            out = out.reshape(result);
        }
        if (scale != 1) {
            out = out.mul(scale);
        }
        return out;
    }
}
