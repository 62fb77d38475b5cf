package dev.jacflux.training.step;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The output of the clipping stage: per parameter (layout order, parameter shapes) the clipped sum
 * {@code sum_b min(1, C / ||g_b||) g_b} over the batch, with the per-example gradient norms and
 * losses it saw.
 *
 * <pre>{@code
 * ClippedSum s = new GhostClipping(Loss.crossEntropy(), 1.0, PerSampleOptions.DEFAULT, GhostStrategy.AUTO)
 *         .clip(model, x, labels, new PhaseTimer());
 * s.sums().get(0);          // [out, in] for fc1.weight
 * s.norms();                // [n]
 * }</pre>
 *
 * @param sums fresh arrays, one per parameter (zeros for an empty batch)
 * @param norms per-example gradient norms before clipping ({@code [n]}, as doubles)
 * @param losses per-example losses ({@code [n]}, as doubles)
 */
public record ClippedSum(List<INDArray> sums, double[] norms, double[] losses) {
    public ClippedSum {
        sums = List.copyOf(sums);
    }
}
