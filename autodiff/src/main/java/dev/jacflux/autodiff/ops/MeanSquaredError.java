package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.Arrays;

/**
 * Per-sample mean squared error: for {@code pred} and {@code target} of one shape {@code [B, ...]},
 * {@code loss[b] = mean((pred[b] - target[b])^2)} over the sample's elements (PyTorch's
 * {@code mse_loss(reduction='none')} averaged over every axis but the first). A composite of
 * {@link Sub}, {@link Mul} and {@link Mean}; the target may be a constant or differentiable.
 *
 * <pre>{@code
 * Tensor loss = MeanSquaredError.apply(pred, Tensor.constant(y));   // [B, 3] and [B, 3] -> [B]
 * }</pre>
 */
public final class MeanSquaredError {
    private MeanSquaredError() {
    }

    /**
     * The per-sample loss {@code [B]}.
     *
     * @throws AutodiffException if the shapes or dtypes differ, the inputs are scalars, or the batch
     *     is empty
     */
    public static Tensor apply(Tensor pred, Tensor target) {
        if (!Arrays.equals(pred.shape(), target.shape())) {
            throw new AutodiffException("mse: prediction " + Shapes.str(pred.shape()) + " and target " + Shapes.str(target.shape())
                    + " must have the same shape");
        }
        if (pred.rank() == 0) {
            throw new AutodiffException("mse: inputs need a batch axis [B, ...], got shape []");
        }
        if (pred.size(0) == 0) {
            throw new AutodiffException("mse: empty batch: prediction has shape " + Shapes.str(pred.shape()));
        }
        Checks.sameDtype("mse", pred, target);
        Tensor sq = pred.sub(target).square();
        if (pred.rank() == 1) {
            return sq;
        }
        int[] axes = new int[pred.rank() - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 1;
        }
        return sq.mean(axes);
    }
}
