package dev.jacflux.model;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A plain (non-private) SGD step: one forward pass, one ordinary backward pass of the mean loss,
 * {@code θ <- θ - lr * grad}. The baseline that a DP-SGD step is measured against.
 *
 * <pre>{@code
 * Sgd sgd = new Sgd(0.1, Loss.crossEntropy());
 * for (int step = 0; step < 100; step++) {
 *     model = sgd.step(model, x, labels).model();
 * }
 * }</pre>
 *
 * @param learningRate the step size
 * @param loss the per-sample loss (averaged over the batch)
 */
public record Sgd(double learningRate, Loss loss) {
    public Sgd {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new ModelException("sgd: learning rate must be a finite number > 0, got " + learningRate);
        }
        if (loss == null) {
            throw new ModelException("sgd: loss is null");
        }
    }

    /** The mean-loss gradient per parameter (layout order) and the mean loss. */
    public Gradient gradient(Model model, INDArray x, INDArray targets) {
        INDArray xs = x.dataType() == model.dtype() ? x : x.castTo(model.dtype());
        model.architecture().checkInput(xs.shape());
        long n = xs.size(0);
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < model.parameters().size(); i++) {
            params.add(Tensor.variable(model.parameters().get(i), model.layout().names().get(i)));
        }
        Tensor losses;
        try (GradMode.Scope on = GradMode.set(true)) {
            losses = loss.apply(model.forward(Tensor.constant(xs), params), targets);
        }
        if (losses.numel() != n) {
            throw new ModelException("sgd: the loss must give one value per sample ([" + n + "]), got " + Shapes.str(losses.shape()));
        }
        Tensor seed = Tensor.constant(Nd4j.valueArrayOf(Shapes.concat(new long[] {1}, losses.shape()), 1.0 / n, model.dtype()));
        List<Tensor> grads = Backprop.pullback(List.of(losses), List.of(seed), params, Backprop.Options.DEFAULT);
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            long[] shape = params.get(i).shape();
            Tensor g = grads.get(i);
            if (g == null) {
                out.add(Nd4j.zeros(model.dtype(), shape));
            } else {
                long[] want = Shapes.concat(new long[] {1}, shape);
                INDArray v = Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want);
                out.add(v.reshape('c', shape));
            }
        }
        return new Gradient(out, losses.value().meanNumber().doubleValue());
    }

    /** One step: the updated model and the mean loss before the update. */
    public TrainingStep step(Model model, INDArray x, INDArray targets) {
        Gradient g = gradient(model, x, targets);
        return new TrainingStep(update(model, g.parameters(), learningRate),
                new StepStats(x.size(0), g.meanLoss(), Double.NaN, Double.NaN, Double.NaN, 0.0, false));
    }

    /** {@code θ - lr * grad} as a new model. */
    static Model update(Model model, List<INDArray> grads, double lr) {
        List<INDArray> next = new ArrayList<>();
        for (int i = 0; i < grads.size(); i++) {
            next.add(grads.get(i).mul(-lr).addi(model.parameters().get(i)));
        }
        return model.withOwnedParameters(next);
    }

    /**
     * A gradient per parameter (layout order) and the mean loss at which it was taken.
     *
     * <pre>{@code
     * Sgd.Gradient g = new Sgd(0.1, Loss.mse()).gradient(model, x, y);
     * g.parameters().get(0);   // d mean(L) / d fc1.weight
     * }</pre>
     *
     * @param parameters one array per parameter, of the parameter's shape
     * @param meanLoss the mean per-sample loss
     */
    public record Gradient(List<INDArray> parameters, double meanLoss) {
    }
}
