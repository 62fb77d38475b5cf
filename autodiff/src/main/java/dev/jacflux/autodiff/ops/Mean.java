package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;

/**
 * Mean over axes (all axes when none are given), optionally keeping them as size 1.
 *
 * <pre>{@code
 * Tensor m = Mean.apply(x, true, -1);   // x [B, n] -> [B, 1]; same as x.mean(true, -1)
 * }</pre>
 */
public record Mean(Tensor x, boolean keepDims, int[] axes) implements Op {

    /** Forward pass; {@code axes} may be negative, empty means all. */
    public static Tensor apply(Tensor x, boolean keepDims, int... axes) {
        int[] ax = Checks.axes("mean", axes, x.rank());
        long count = 1;
        for (int a : ax) {
            count *= x.size(a);
        }
        return Tensor.of(new Mean(x, keepDims, ax), Sum.reduce(x.value(), keepDims, ax).divi(count));
    }

    private long count() {
        long n = 1;
        for (int a : axes) {
            n *= x.size(a);
        }
        return n;
    }

    @Override
    public String name() {
        return "mean";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(Sum.restoreAxes(c.g(), c.lead(), x.shape(), keepDims, axes).div(count()));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0).mean(keepDims, Checks.shift(axes, c.lead()));
    }
}
