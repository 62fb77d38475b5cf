package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-sample cross-entropy of raw scores against class indices, as PyTorch's
 * {@code F.cross_entropy(logits, targets, reduction='none')}:
 * {@code loss[b] = -log_softmax(logits)[b, targets[b]]}. A composite of {@link LogSoftmax}, a
 * multiplication by a constant one-hot matrix, {@link Sum} and {@link Neg}, so its derivatives (of
 * any order) come from theirs; the targets are constants.
 *
 * <pre>{@code
 * Tensor loss = CrossEntropy.apply(logits, new long[] {2, 0, 1});   // logits [3, C] -> loss [3]
 * Tensor mean = loss.mean();                                       // the usual reduction='mean'
 * }</pre>
 */
public final class CrossEntropy {
    private CrossEntropy() {
    }

    /**
     * The per-sample loss {@code [B]} for logits {@code [B, C]} and one target class per sample.
     *
     * @throws AutodiffException if the logits are not rank 2 or have no rows, if the number of
     *     targets differs from {@code B}, or if a target is outside {@code [0, C)}
     */
    public static Tensor apply(Tensor logits, long[] targets) {
        if (logits.rank() != 2) {
            throw new AutodiffException("cross_entropy: logits must have rank 2 [B, C], got shape " + Shapes.str(logits.shape()));
        }
        long b = logits.size(0);
        long classes = logits.size(1);
        if (b == 0) {
            throw new AutodiffException("cross_entropy: empty batch: logits have shape " + Shapes.str(logits.shape()));
        }
        if (targets == null || targets.length != b) {
            throw new AutodiffException("cross_entropy: logits " + Shapes.str(logits.shape()) + " have " + b + " rows but "
                    + (targets == null ? "targets are null" : targets.length + " targets were given") + "; expected one target per row");
        }
        INDArray oneHot = Nd4j.zeros(logits.dtype(), b, classes);
        for (int i = 0; i < targets.length; i++) {
            long t = targets[i];
            if (t < 0 || t >= classes) {
                throw new AutodiffException("cross_entropy: target at index " + i + " is " + t + ", outside [0, " + classes
                        + ") for logits " + Shapes.str(logits.shape()));
            }
            oneHot.putScalar(i, t, 1.0);
        }
        return logits.logSoftmax(1).mul(Tensor.constant(oneHot)).sum(1).neg();
    }

    /**
     * The same with the targets as an integer array of shape {@code [B]}.
     *
     * @throws AutodiffException if {@code targets} is not an integer array of rank 1, or as
     *     {@link #apply(Tensor, long[])}
     */
    public static Tensor apply(Tensor logits, INDArray targets) {
        if (targets == null) {
            throw new AutodiffException("cross_entropy: targets are null; expected an integer array of shape [B]");
        }
        if (!targets.dataType().isIntType()) {
            throw new AutodiffException("cross_entropy: targets must be an integer array (class indices), got "
                    + targets.dataType() + " " + Shapes.str(targets.shape()));
        }
        if (targets.rank() != 1) {
            throw new AutodiffException("cross_entropy: targets must have rank 1 [B], got shape " + Shapes.str(targets.shape())
                    + " for logits " + Shapes.str(logits.shape()));
        }
        return apply(logits, targets.toLongVector());
    }
}
