package dev.jacflux.service.dashboard;

import dev.jacflux.service.trainings.TrainingUpdate;
import dev.jacflux.training.GradNormHistogram;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The training figures the dashboard shows that the training's own meters
 * ({@code jacflux_training_epsilon}, {@code _loss}, {@code _steps_total}, ...) do not have, as
 * gauges tagged {@code training}, fed by the service's training updates, so that Prometheus and
 * Grafana can chart and alert on them too:
 * <ul>
 *   <li>{@value #LATEST_STEP}: the training's step (continues across restarts, unlike the steps counter);</li>
 *   <li>{@value #CLIPPED_FRACTION}: share of the latest batch whose gradient was clipped;</li>
 *   <li>{@value #TARGET_EPSILON}: the target epsilon (NaN without one), for "epsilon near target" alerts;</li>
 *   <li>{@value #MAX_GRAD_NORM}: the clipping bound C;</li>
 *   <li>{@value #GRAD_NORM_MEDIAN} and {@value #GRAD_NORM_P90}: median and 90th percentile of the latest step's per-sample
 *       gradient norms, read from its histogram (linear within a bin, so within one bin width of the exact value; not a
 *       {@code quantile} label: Prometheus keeps that for summaries).</li>
 * </ul>
 * Unknown values (before the first step, plain SGD) are NaN.
 *
 * <pre>{@code
 * jacflux_training_latest_step{training="13fd6cb10f9a10a4"} 412.0
 * jacflux_training_target_epsilon{training="13fd6cb10f9a10a4"} 3.0
 * jacflux_training_epsilon{training="13fd6cb10f9a10a4"} / on (training) jacflux_training_target_epsilon{training="13fd6cb10f9a10a4"}
 * }</pre>
 */
public final class TrainingGauges {
    /** Gauge: the training's latest step. */
    public static final String LATEST_STEP = "jacflux.training.latest.step";
    /** Gauge: clipped share of the latest batch. */
    public static final String CLIPPED_FRACTION = "jacflux.training.clipped.fraction";
    /** Gauge: the target epsilon. */
    public static final String TARGET_EPSILON = "jacflux.training.target.epsilon";
    /** Gauge: the clipping bound C. */
    public static final String MAX_GRAD_NORM = "jacflux.training.max.grad.norm";
    /** Gauge: median per-sample gradient norm of the latest step. */
    public static final String GRAD_NORM_MEDIAN = "jacflux.training.grad.norm.median";
    /** Gauge: 90th percentile of the per-sample gradient norms of the latest step. */
    public static final String GRAD_NORM_P90 = "jacflux.training.grad.norm.p90";
    /** Tag key of the training. */
    public static final String TRAINING = "training";

    private final MeterRegistry registry;
    private final Map<String, AtomicLatest> byTraining = new ConcurrentHashMap<>();

    /** Gauges in {@code registry}. */
    public TrainingGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The latest figures of one training (read by the gauges). */
    private static final class AtomicLatest {
        final AtomicLong step = new AtomicLong();
        volatile double clipped = Double.NaN;
        volatile double target = Double.NaN;
        volatile double bound = Double.NaN;
        volatile double median = Double.NaN;
        volatile double p90 = Double.NaN;
    }

    /** Takes one update (registering the training's gauges on its first). */
    public void accept(TrainingUpdate u) {
        AtomicLatest l = byTraining.computeIfAbsent(u.id(), this::register);
        l.step.set(u.step());
        l.clipped = nan(u.clippedFraction());
        l.target = nan(u.targetEpsilon());
        l.bound = u.dp() ? u.maxGradNorm() : Double.NaN;
        GradNormHistogram h = u.gradNormHistogram();
        l.median = h == null ? Double.NaN : quantile(h, 0.5);
        l.p90 = h == null ? Double.NaN : quantile(h, 0.9);
    }

    private AtomicLatest register(String id) {
        AtomicLatest l = new AtomicLatest();
        Tags tags = Tags.of(TRAINING, id);
        gauge(LATEST_STEP, "The training's latest released step", tags, l, x -> x.step.get());
        gauge(CLIPPED_FRACTION, "Share of the latest batch whose per-sample gradient was clipped", tags, l, x -> x.clipped);
        gauge(TARGET_EPSILON, "The training's target epsilon; NaN without one", tags, l, x -> x.target);
        gauge(MAX_GRAD_NORM, "The clipping bound C of the per-sample gradients; NaN for plain SGD", tags, l, x -> x.bound);
        gauge(GRAD_NORM_MEDIAN, "Median per-sample gradient norm of the latest step, from its histogram", tags, l, x -> x.median);
        gauge(GRAD_NORM_P90, "90th percentile of the latest step's per-sample gradient norms, from its histogram", tags, l, x -> x.p90);
        return l;
    }

    private void gauge(String name, String description, Tags tags, AtomicLatest l, ToDoubleFunction<AtomicLatest> f) {
        Gauge.builder(name, l, f).description(description).tags(tags).strongReference(true).register(registry);
    }

    /** The q-quantile of the binned norms, linear within the bin that holds it; NaN when the histogram is empty. */
    static double quantile(GradNormHistogram h, double q) {
        long total = h.total();
        if (total == 0) {
            return Double.NaN;
        }
        double[] edges = h.edges();
        long[] counts = h.counts();
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && seen + counts[i] >= rank) {
                double within = (rank - seen) / counts[i];
                return edges[i] + Math.max(0, within) * (edges[i + 1] - edges[i]);
            }
            seen += counts[i];
        }
        return edges[edges.length - 1];
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }
}
