package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout with PyTorch's {@code F.dropout} semantics, made deterministic by a seed.
 *
 * <ul>
 *   <li>{@code !training} or {@code p == 0}: returns {@code x} itself (no op is recorded).</li>
 *   <li>training, {@code 0 < p < 1}: {@code x * mask} through the {@link Mul} op, where the
 *       constant mask holds {@code 1 / (1 - p)} with probability {@code 1 - p} and {@code 0}
 *       otherwise, drawn element by element (row-major order) from {@code new Random(seed)}. The
 *       same seed and shape always give the same mask.</li>
 *   <li>training, {@code p == 1}: {@code x * 0} (all zeros; NaN inputs stay NaN), as in
 *       PyTorch.</li>
 * </ul>
 *
 * <p>The mask is a constant, so derivatives are {@code g * mask}, and since it is drawn once per
 * call, all samples of a batch see independent entries while per-sample gradients stay per
 * sample (the mask does not depend on the batch and is not differentiated).
 *
 * <pre>{@code
 * Tensor h = Dropout.apply(x, 0.3, true, 42L);    // same mask for the same seed and shape
 * Tensor e = Dropout.apply(x, 0.3, false, 42L);   // e == x
 * }</pre>
 */
public final class Dropout {
    private static final String OP = "dropout";

    private Dropout() {
    }

    /**
     * Applies dropout.
     *
     * @param x input of any shape
     * @param p probability of zeroing an element, {@code 0 <= p <= 1}
     * @param training whether to drop (otherwise {@code x} is returned)
     * @param seed seed of the {@link Random} that draws the mask
     * @return {@code x} itself, or a tensor of the shape of {@code x}
     * @throws AutodiffException if {@code p} is outside {@code [0, 1]} or NaN
     */
    public static Tensor apply(Tensor x, double p, boolean training, long seed) {
        if (x == null) {
            throw new AutodiffException(OP + ": input x is null");
        }
        if (!(p >= 0 && p <= 1)) {
            throw new AutodiffException(OP + ": probability p has to be between 0 and 1, but got p = " + p
                    + " (input " + Shapes.str(x.shape()) + ")");
        }
        if (!training || p == 0) {
            return x;
        }
        if (p == 1) {
            return Mul.apply(x, x.scalarLike(0.0));
        }
        return Mul.apply(x, Tensor.constant(mask(x, p, seed)));
    }

    private static INDArray mask(Tensor x, double p, long seed) {
        long n = x.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new AutodiffException(OP + ": input " + Shapes.str(x.shape()) + " has " + n
                    + " elements, more than a Java array can hold for the mask");
        }
        Random rnd = new Random(seed);
        double keep = 1.0 / (1.0 - p);
        double[] m = new double[(int) n];
        for (int i = 0; i < m.length; i++) {
            m[i] = rnd.nextDouble() < p ? 0.0 : keep;
        }
        return x.rank() == 0 ? Nd4j.scalar(x.dtype(), m[0]) : Nd4j.create(m, x.shape(), x.dtype());
    }
}
