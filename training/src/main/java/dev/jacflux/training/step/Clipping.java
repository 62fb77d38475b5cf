package dev.jacflux.training.step;

import dev.jacflux.model.Model;
import dev.jacflux.training.PhaseTimer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The per-example clipping stage of DP-SGD: per-example gradient norms, clip factors
 * {@code c_b = min(1, C / ||g_b||)} and the clipped sum. {@link GhostClipping} never builds the
 * {@code N x M} matrix; {@link MatrixClipping} does (the reference).
 *
 * <pre>{@code
 * Clipping c = Clipping.of(DpSgd.Method.GHOST, Loss.crossEntropy(), 1.0, PerSampleOptions.DEFAULT, GhostStrategy.AUTO);
 * ClippedSum s = c.clip(model, x, labels, timer);
 * }</pre>
 */
public interface Clipping {
    /**
     * Clips and sums the per-example gradients of the batch ({@code x} may have 0 rows: then the sums
     * are zeros).
     */
    ClippedSum clip(Model model, INDArray x, INDArray targets, PhaseTimer timer);

    /** The stage for a method. */
    static Clipping of(dev.jacflux.model.DpSgd.Method method, dev.jacflux.model.Loss loss, double clipNorm,
            dev.jacflux.autodiff.transforms.PerSampleOptions options, dev.jacflux.model.ghost.GhostStrategy strategy) {
        return method == dev.jacflux.model.DpSgd.Method.GHOST ? new GhostClipping(loss, clipNorm, options, strategy)
                : new MatrixClipping(loss, clipNorm, options);
    }

    /** Zero sums, one per parameter, for an empty batch. */
    static ClippedSum empty(Model model) {
        java.util.List<INDArray> zeros = new java.util.ArrayList<>();
        for (long[] shape : model.layout().shapes()) {
            zeros.add(org.nd4j.linalg.factory.Nd4j.zeros(model.dtype(), shape));
        }
        return new ClippedSum(zeros, new double[0], new double[0]);
    }

    /** {@code min(1, C / norm)} per example (1 where the norm is 0). */
    static INDArray factors(INDArray norms, double clipNorm) {
        return org.nd4j.linalg.ops.transforms.Transforms.min(norms.rdiv(clipNorm), 1.0, false);
    }
}
