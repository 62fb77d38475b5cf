package dev.jacflux.model;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.ops.MeanSquaredError;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A per-sample loss: maps a model's outputs {@code [n, *out]} and the matching rows of the targets
 * to one value per sample, {@code [n]}, written with differentiable {@link Tensor} ops. Losses
 * follow PyTorch's definitions with {@code reduction='none'}; a loss must not mix samples.
 *
 * <pre>{@code
 * Loss ce = Loss.crossEntropy();                 // outputs are logits, targets integer classes [n]
 * Loss mse = Loss.mse();                         // mean over each sample's outputs
 * Loss huber = (out, t) -> {                     // any scalar-per-sample function
 *     Tensor d = out.sub(Tensor.constant(t));
 *     return d.square().add(1.0).sqrt().sub(1.0).sum(1);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface Loss {

    /**
     * @param outputs the model's outputs {@code [n, *out]}
     * @param targets the targets of these {@code n} samples, or {@code null}
     * @return the per-sample loss {@code [n]}
     */
    Tensor apply(Tensor outputs, INDArray targets);

    /**
     * Cross-entropy on integer class targets {@code [n]}, PyTorch's
     * {@code F.cross_entropy(outputs, targets, reduction='none')}: the outputs {@code [n, C]} are
     * logits (log-softmax is applied inside the loss).
     */
    static Loss crossEntropy() {
        return CrossEntropy::apply;
    }

    /**
     * Mean squared error averaged over each sample's outputs (PyTorch's
     * {@code mse_loss(reduction='none').mean(over all but the batch axis)}); targets of the outputs'
     * shape, converted to the outputs' dtype.
     */
    static Loss mse() {
        return (outputs, targets) -> {
            if (targets == null) {
                throw new ModelException("mse: targets are null; expected an array of the outputs' shape");
            }
            INDArray t = targets.dataType() == outputs.dtype() ? targets : targets.castTo(outputs.dtype());
            return MeanSquaredError.apply(outputs, Tensor.constant(t));
        };
    }
}
