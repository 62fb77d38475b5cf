package dev.jacflux.training.step;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The state of {@link SgdUpdate}: the momentum buffer per parameter (layout order), or none.
 * Saved in checkpoints (as {@code optimizer.npz}, keyed {@code velocity.<parameter name>}).
 *
 * <pre>{@code
 * OptimizerState s = OptimizerState.EMPTY;   // before the first step, or without momentum
 * }</pre>
 *
 * @param velocity one array per parameter, or an empty list
 */
public record OptimizerState(List<INDArray> velocity) {
    /** No state. */
    public static final OptimizerState EMPTY = new OptimizerState(List.of());

    public OptimizerState {
        velocity = List.copyOf(velocity);
    }

    /** Whether there is no momentum buffer yet. */
    public boolean isEmpty() {
        return velocity.isEmpty();
    }
}
