package dev.jacflux.training.checkpoint;

import dev.jacflux.model.Model;
import dev.jacflux.training.step.OptimizerState;
import java.nio.file.Path;

/**
 * One checkpoint: the model, the optimizer state and the training state, as read from or written to
 * a directory {@code step-<t>} ({@code model.json} + {@code weights.npz}, loadable as any model
 * file; {@code optimizer.npz}; {@code state.json}).
 *
 * <pre>{@code
 * Checkpoint c = new CheckpointStore(Path.of("run1")).latest().orElseThrow();
 * c.info().step();      // steps done
 * c.model();            // the weights after that step
 * }</pre>
 *
 * @param model the model
 * @param optimizer the optimizer state
 * @param info the training state
 * @param directory where it was read from or written to (null before writing)
 */
public record Checkpoint(Model model, OptimizerState optimizer, CheckpointInfo info, Path directory) {
}
