package dev.jacflux.training.metrics;

import io.micrometer.core.instrument.Meter;
import java.util.List;

/**
 * Every meter a training publishes: its Micrometer name, type, base unit, description and tag keys
 * (every meter carries {@code training}, the {@link dev.jacflux.training.TrainingOptions#name()}).
 *
 * <p>In Prometheus: {@code jacflux_training_steps_total}, {@code jacflux_training_samples_total}
 * (its rate is samples per second), {@code jacflux_training_epsilon}, {@code jacflux_training_loss},
 * {@code jacflux_training_step_duration_seconds_count{phase="clip"}} and so on.
 * <pre>{@code
 * TrainingMeter m = TrainingMeter.STEP_DURATION;
 * m.meterName();   // "jacflux.training.step.duration"
 * m.tagKeys();     // [training, phase]
 * }</pre>
 */
public enum TrainingMeter {
    /** Steps finished (empty Poisson batches included). */
    STEPS("jacflux.training.steps", Meter.Type.COUNTER, "steps", "Training steps finished, empty Poisson batches included",
            TrainingMetrics.TRAINING),
    /** Examples in the batches of finished steps; its rate is the throughput in samples per second. */
    SAMPLES("jacflux.training.samples", Meter.Type.COUNTER, "samples",
            "Examples in the batches of finished steps; rate() gives samples per second", TrainingMetrics.TRAINING),
    /** Privacy spent so far (NaN when not accounted). */
    EPSILON("jacflux.training.epsilon", Meter.Type.GAUGE, "epsilon",
            "Privacy spent so far at the training's delta (RDP accountant); NaN when not accounted", TrainingMetrics.TRAINING),
    /** Mean loss of the latest batch. */
    LOSS("jacflux.training.loss", Meter.Type.GAUGE, "loss", "Mean per-example loss of the latest batch, before its update",
            TrainingMetrics.TRAINING),
    /** Time per phase of a step. */
    STEP_DURATION("jacflux.training.step.duration", Meter.Type.TIMER, "seconds",
            "Time of one phase of a training step: sample, forward_backward, norms, clip, noise, update, account, checkpoint",
            TrainingMetrics.TRAINING, TrainingMetrics.PHASE);

    private final String meterName;
    private final Meter.Type type;
    private final String baseUnit;
    private final String description;
    private final List<String> tagKeys;

    TrainingMeter(String meterName, Meter.Type type, String baseUnit, String description, String... tagKeys) {
        this.meterName = meterName;
        this.type = type;
        this.baseUnit = baseUnit;
        this.description = description;
        this.tagKeys = List.of(tagKeys);
    }

    /** The dot-separated Micrometer name. */
    public String meterName() {
        return meterName;
    }

    /** The Micrometer meter type. */
    public Meter.Type type() {
        return type;
    }

    /** The base unit (documentation only for timers). */
    public String baseUnit() {
        return baseUnit;
    }

    /** A one-line description (the help text). */
    public String description() {
        return description;
    }

    /** The tag keys. */
    public List<String> tagKeys() {
        return tagKeys;
    }
}
