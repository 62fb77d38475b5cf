package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.Arrays;
import java.util.List;

/**
 * Permutes axes: output axis {@code i} is input axis {@code perm[i]}. The result is an ND4J view,
 * not a copy.
 *
 * <pre>{@code
 * Tensor t = Permute.apply(x, 0, 2, 1);   // [B, n, m] -> [B, m, n]; x.transpose() swaps the last two
 * }</pre>
 */
public record Permute(Tensor x, int[] perm) implements Op {

    /** Forward pass; validates that {@code perm} is a permutation of the axes. */
    public static Tensor apply(Tensor x, int... perm) {
        int r = x.rank();
        boolean[] seen = new boolean[r];
        boolean ok = perm.length == r;
        for (int i = 0; ok && i < r; i++) {
            int p = perm[i] < 0 ? perm[i] + r : perm[i];
            ok = p >= 0 && p < r && !seen[p];
            if (ok) {
                seen[p] = true;
            }
        }
        if (!ok) {
            throw new AutodiffException("permute: " + Arrays.toString(perm) + " is not a permutation of the "
                    + r + " axes of " + Arrays.toString(x.shape()));
        }
        int[] norm = new int[r];
        for (int i = 0; i < r; i++) {
            norm[i] = perm[i] < 0 ? perm[i] + r : perm[i];
        }
        return Tensor.of(new Permute(x, norm), x.value().permute(norm));
    }

    static int[] withLead(int[] perm, int lead) {
        int[] out = new int[lead + perm.length];
        for (int i = 0; i < lead; i++) {
            out[i] = i;
        }
        for (int i = 0; i < perm.length; i++) {
            out[lead + i] = lead + perm[i];
        }
        return out;
    }

    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }

    @Override
    public String name() {
        return "permute";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        return List.of(c.g().permute(withLead(inverse(perm), c.lead())));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        return c.tangent(0).permute(withLead(perm, c.lead()));
    }
}
