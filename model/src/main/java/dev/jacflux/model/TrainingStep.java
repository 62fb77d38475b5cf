package dev.jacflux.model;

/**
 * The result of one training step: the updated model (a new immutable {@link Model}) and the
 * step's statistics.
 *
 * <pre>{@code
 * TrainingStep s = new Sgd(0.1, Loss.crossEntropy()).step(model, x, labels);
 * model = s.model();
 * }</pre>
 *
 * @param model the model after the update
 * @param stats what the step saw before its update
 */
public record TrainingStep(Model model, StepStats stats) {
}
