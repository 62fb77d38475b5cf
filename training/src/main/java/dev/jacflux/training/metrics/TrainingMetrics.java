package dev.jacflux.training.metrics;

import dev.jacflux.training.Phase;
import dev.jacflux.training.StepResult;
import dev.jacflux.training.TrainingListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The {@link MeterBinder} of one training: publishes its {@link TrainingMeter}s, tagged
 * {@code training=<name>}, to every registry it is bound to, and gives the
 * {@link dev.jacflux.training.Trainer} the {@link TrainingListener} that feeds them. The step and
 * sample counters and the gauges read state kept here, so a registry bound late still sees the
 * totals; phase timers record from the moment their registry is bound.
 *
 * <pre>{@code
 * TrainingMetrics metrics = new TrainingMetrics("mnist-dp");
 * metrics.bindTo(prometheusRegistry);
 * Trainer t = Trainer.create(model, data, options).withListener(metrics.listener());
 * }</pre>
 */
public final class TrainingMetrics implements MeterBinder {
    /** Tag key: the training's name. */
    public static final String TRAINING = "training";
    /** Tag key of {@link TrainingMeter#STEP_DURATION}: a {@link Phase#tag()}. */
    public static final String PHASE = "phase";

    private final Tags tags;
    private final AtomicLong steps = new AtomicLong();
    private final DoubleAdder samples = new DoubleAdder();
    private final AtomicLong epsilonBits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
    private final AtomicLong lossBits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
    private final List<Map<Phase, Timer>> timers = new CopyOnWriteArrayList<>();
    private final TrainingListener listener = new Listener();

    /** Meters tagged {@code training=name}. */
    public TrainingMetrics(String name) {
        this.tags = Tags.of(TRAINING, name);
    }

    /** Publishes the meters to {@code registry} too. */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(TrainingMeter.STEPS.meterName(), steps, AtomicLong::doubleValue).description(TrainingMeter.STEPS.description())
                .baseUnit(TrainingMeter.STEPS.baseUnit()).tags(tags).register(registry);
        FunctionCounter.builder(TrainingMeter.SAMPLES.meterName(), samples, DoubleAdder::sum).description(TrainingMeter.SAMPLES.description())
                .baseUnit(TrainingMeter.SAMPLES.baseUnit()).tags(tags).register(registry);
        Gauge.builder(TrainingMeter.EPSILON.meterName(), epsilonBits, b -> Double.longBitsToDouble(b.get()))
                .description(TrainingMeter.EPSILON.description()).baseUnit(TrainingMeter.EPSILON.baseUnit()).tags(tags).register(registry);
        Gauge.builder(TrainingMeter.LOSS.meterName(), lossBits, b -> Double.longBitsToDouble(b.get()))
                .description(TrainingMeter.LOSS.description()).baseUnit(TrainingMeter.LOSS.baseUnit()).tags(tags).register(registry);
        Map<Phase, Timer> byPhase = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            byPhase.put(p, Timer.builder(TrainingMeter.STEP_DURATION.meterName()).description(TrainingMeter.STEP_DURATION.description())
                    .tags(tags).tag(PHASE, p.tag()).register(registry));
        }
        timers.add(byPhase);
    }

    /** The listener to give the trainer. */
    public TrainingListener listener() {
        return listener;
    }

    private final class Listener implements TrainingListener {
        @Override
        public void onPhase(Phase phase, long nanos) {
            for (Map<Phase, Timer> t : timers) {
                t.get(phase).record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void onStep(StepResult r) {
            steps.incrementAndGet();
            samples.add(r.batchSize());
            epsilonBits.set(Double.doubleToRawLongBits(r.epsilon()));
            lossBits.set(Double.doubleToRawLongBits(r.loss()));
        }
    }
}
