package dev.jacflux.training;

/**
 * Hooks a {@link Trainer} calls on its stepping thread: the duration of each phase of each step,
 * and each finished step. {@link dev.jacflux.training.metrics.TrainingMetrics} turns them into
 * Micrometer meters, so the trainer itself has no metrics code. Implementations must be quick and
 * must not throw.
 *
 * <pre>{@code
 * TrainingListener log = new TrainingListener() {
 *     public void onStep(StepResult r) { System.out.println(r.toJson()); }
 * };
 * Trainer t = Trainer.create(model, data, options).withListener(log);
 * }</pre>
 */
public interface TrainingListener {
    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {
    };

    /** One phase of a step took {@code nanos}. */
    default void onPhase(Phase phase, long nanos) {
    }

    /** A step finished. */
    default void onStep(StepResult result) {
    }

    /** The training ended (stop condition, cancellation or failure). */
    default void onEnd(StopReason reason) {
    }
}
