package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;

/**
 * Row-major reshape; one dimension may be {@code -1} (inferred).
 *
 * <p>The VJP keeps size-1 (constant) axes of the cotangent in the common leading part of the two
 * shapes, so a batch-invariant cotangent {@code [K, 1, ...]} through a flatten of
 * {@code [B, C, H, W] -> [B, C*H*W]} stays batch-invariant.
 *
 * <pre>{@code
 * Tensor flat = Reshape.apply(x, x.size(0), -1);   // same as x.reshape(B, -1)
 * }</pre>
 */
public record Reshape(Tensor x, long[] shape) implements Op {

    /** Forward pass; validates the element count. */
    public static Tensor apply(Tensor x, long... shape) {
        long[] target = resolve(x.shape(), shape);
        return Tensor.of(new Reshape(x, target), x.value().reshape('c', target));
    }

    static long[] resolve(long[] from, long[] shape) {
        long known = 1;
        int infer = -1;
        long[] out = shape.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw new AutodiffException("reshape: at most one -1 allowed, got " + Shapes.str(shape));
                }
                infer = i;
            } else if (out[i] < 0) {
                throw new AutodiffException("reshape: negative size in " + Shapes.str(shape));
            } else {
                known *= out[i];
            }
        }
        long n = Shapes.numel(from);
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new AutodiffException("reshape: cannot reshape " + Shapes.str(from) + " (" + n + " elements) to " + Shapes.str(shape));
            }
            out[infer] = n / known;
        } else if (known != n) {
            throw new AutodiffException("reshape: cannot reshape " + Shapes.str(from) + " (" + n + " elements) to "
                    + Shapes.str(shape) + " (" + known + " elements)");
        }
        return out;
    }

    @Override
    public String name() {
        return "reshape";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(reshapeKeepingPrefix(c.g(), c.lead(), shape, x.shape()));
    }

    /**
     * Reshapes {@code t} ({@code [L..., *from]}, size-1 dims allowed) to {@code [L..., *to]},
     * expanding only the axes after the common leading part of {@code from} and {@code to}.
     */
    static Tensor reshapeKeepingPrefix(Tensor t, int lead, long[] from, long[] to) {
        int p = 0;
        while (p < from.length && p < to.length && from[p] == to[p]) {
            p++;
        }
        long[] ts = t.shape();
        long[] expanded = ts.clone();
        boolean expand = false;
        for (int i = p; i < from.length; i++) {
            if (expanded[lead + i] != from[i]) {
                expanded[lead + i] = from[i];
                expand = true;
            }
        }
        Tensor full = expand ? t.broadcastTo(expanded) : t;
        long[] target = Shapes.concat(Shapes.range(ts, 0, lead + p), Shapes.range(to, p, to.length));
        return full.reshape(target);
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return reshapeKeepingPrefix(c.tangent(0), c.lead(), x.shape(), shape);
    }
}
