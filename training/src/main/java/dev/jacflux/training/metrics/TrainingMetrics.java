package dev.jacflux.training.metrics;

import dev.jacflux.training.Phase;
import dev.jacflux.training.StepResult;
import dev.jacflux.training.TrainingListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link MeterBinder} of one training: publishes its {@link TrainingMeter}s, tagged
 * {@code training=<name>}, to every registry it is bound to, and gives the {@link Trainer} the
 * {@link TrainingListener} that feeds them. Meters exist from construction (counters at 0, gauges
 * NaN); registries bound later see them too.
 *
 * <pre>{@code
 * TrainingMetrics metrics = new TrainingMetrics("mnist-dp");
 * metrics.bindTo(prometheusRegistry);
 * Trainer t = Trainer.create(model, data, options).withListener(metrics.listener());
 * }</pre>
 *
 * @see dev.jacflux.training.Trainer
 */
public final class TrainingMetrics implements MeterBinder {
    /** Tag key: the training's name. */
    public static final String TRAINING = "training";
    /** Tag key of {@link TrainingMeter#STEP_DURATION}: a {@link Phase#tag()}. */
    public static final String PHASE = "phase";

    private final CompositeMeterRegistry registries = new CompositeMeterRegistry();
    private final Counter steps;
    private final Counter samples;
    private final AtomicLong epsilonBits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
    private final AtomicLong lossBits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
    private final Map<Phase, Timer> phases = new EnumMap<>(Phase.class);
    private final TrainingListener listener = new Listener();

    /** Meters tagged {@code training=name}. */
    public TrainingMetrics(String name) {
        Tags tags = Tags.of(TRAINING, name);
        steps = Counter.builder(TrainingMeter.STEPS.meterName()).description(TrainingMeter.STEPS.description())
                .baseUnit(TrainingMeter.STEPS.baseUnit()).tags(tags).register(registries);
        samples = Counter.builder(TrainingMeter.SAMPLES.meterName()).description(TrainingMeter.SAMPLES.description())
                .baseUnit(TrainingMeter.SAMPLES.baseUnit()).tags(tags).register(registries);
        Gauge.builder(TrainingMeter.EPSILON.meterName(), epsilonBits, b -> Double.longBitsToDouble(b.get()))
                .description(TrainingMeter.EPSILON.description()).baseUnit(TrainingMeter.EPSILON.baseUnit()).tags(tags).register(registries);
        Gauge.builder(TrainingMeter.LOSS.meterName(), lossBits, b -> Double.longBitsToDouble(b.get()))
                .description(TrainingMeter.LOSS.description()).baseUnit(TrainingMeter.LOSS.baseUnit()).tags(tags).register(registries);
        for (Phase p : Phase.values()) {
            phases.put(p, Timer.builder(TrainingMeter.STEP_DURATION.meterName()).description(TrainingMeter.STEP_DURATION.description())
                    .tags(tags).tag(PHASE, p.tag()).register(registries));
        }
    }

    /** Publishes the meters to {@code registry} too. */
    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
    }

    /** The listener to give the trainer. */
    public TrainingListener listener() {
        return listener;
    }

    private final class Listener implements TrainingListener {
        @Override
        public void onPhase(Phase phase, long nanos) {
            phases.get(phase).record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void onStep(StepResult r) {
            steps.increment();
            samples.increment(r.batchSize());
            epsilonBits.set(Double.doubleToRawLongBits(r.epsilon()));
            lossBits.set(Double.doubleToRawLongBits(r.loss()));
        }
    }
}
