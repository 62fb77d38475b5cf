package dev.jacflux.training.step;

import dev.jacflux.model.Model;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The optimizer: SGD with heavy-ball momentum as PyTorch's {@code torch.optim.SGD} (dampening 0, no
 * Nesterov): {@code v <- mu v + g} ({@code v = g} on the first step), {@code theta <- theta - lr v};
 * with {@code mu = 0} plain SGD and no state. Models and states are immutable: every update returns
 * new arrays.
 *
 * <pre>{@code
 * SgdUpdate sgd = new SgdUpdate(0.1, 0.9);
 * SgdUpdate.Result r = sgd.apply(model, gradients, OptimizerState.EMPTY);
 * model = r.model();
 * OptimizerState state = r.state();     // the velocity, saved in checkpoints
 * }</pre>
 *
 * @param learningRate step size
 * @param momentum {@code mu} in {@code [0, 1)}
 */
public record SgdUpdate(double learningRate, double momentum) {

    /**
     * The updated model and optimizer state.
     *
     * <pre>{@code
     * SgdUpdate.Result r = sgd.apply(model, grads, state);
     * }</pre>
     *
     * @param model the model after the update
     * @param state the optimizer state after the update
     */
    public record Result(Model model, OptimizerState state) {
    }

    /**
     * One update with {@code gradients} (one per parameter, layout order; fresh arrays that this
     * method may overwrite).
     */
    public Result apply(Model model, List<INDArray> gradients, OptimizerState state) {
        List<INDArray> direction = gradients;
        OptimizerState next = OptimizerState.EMPTY;
        if (momentum > 0) {
            List<INDArray> v = new ArrayList<>();
            for (int i = 0; i < gradients.size(); i++) {
                INDArray g = gradients.get(i);
                v.add(state.isEmpty() ? g : g.addi(state.velocity().get(i).mul(momentum)));
            }
            direction = v;
            next = new OptimizerState(v);
        }
        List<INDArray> params = new ArrayList<>();
        for (int i = 0; i < direction.size(); i++) {
            params.add(direction.get(i).mul(-learningRate).addi(model.parameters().get(i)));
        }
        return new Result(model.withParameters(params), next);
    }
}
