package dev.jacflux.metrics;

import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.pipeline.FailureReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JacFluxMetricsTest {

    private static final String JOB = "batch-jacobian";

    private static double successBatches(MeterRegistry r) {
        return r.get("jacflux.batches").tags("job", JOB, "outcome", "success").counter().count();
    }

    @Test
    void boundRegistriesSeeTheListenersEvents() {
        SimpleMeterRegistry a = new SimpleMeterRegistry();
        SimpleMeterRegistry b = new SimpleMeterRegistry();
        JacFluxMetrics metrics = new JacFluxMetrics(Tags.of("pipeline", "eval"));
        metrics.bindTo(a);
        metrics.bindTo(b);
        metrics.bindTo(a);   // harmless

        PipelineListener l = metrics.listener();
        assertSame(l, metrics.listener());
        assertInstanceOf(MicrometerPipelineListener.class, l);
        l.batchStarted(JOB, 3);
        l.forwardFinished(JOB, Duration.ofMillis(5));
        l.batchSucceeded(JOB, 3, 30, 120, Duration.ofMillis(9));

        for (MeterRegistry r : List.of(a, b)) {
            assertEquals(1, successBatches(r));
            assertEquals(1, r.get("jacflux.stage.duration").tags("stage", "forward", "pipeline", "eval").timer().count());
            assertEquals(120, r.get("jacflux.result.bytes").counter().count());
        }
    }

    @Test
    void registryBoundLaterGetsExistingMetersAndLiveGauges() {
        JacFluxMetrics metrics = new JacFluxMetrics();
        PipelineListener l = metrics.listener();
        l.batchStarted(JOB, 3);   // nothing bound yet: not kept anywhere, but the gauge state is live

        SimpleMeterRegistry late = new SimpleMeterRegistry();
        metrics.bindTo(late);
        assertEquals(1, late.get("jacflux.inflight.batches").tags("job", JOB).gauge().value());
        assertEquals(0, successBatches(late));

        l.batchSucceeded(JOB, 3, 30, 120, Duration.ofMillis(9));
        assertEquals(1, successBatches(late));
        assertEquals(0, late.get("jacflux.inflight.batches").tags("job", JOB).gauge().value());
    }

    @Test
    void noopIgnoresEverything() {
        // NOOP is not a metrics listener in disguise: a bound registry sees none of its events
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JacFluxMetrics metrics = new JacFluxMetrics();
        metrics.bindTo(registry);
        java.util.Map<String, Double> before = measurements(registry);
        PipelineListener n = PipelineListener.NOOP;
        n.batchStarted(JOB, 1);
        n.forwardFinished(JOB, Duration.ZERO);
        n.chunkStarted(JOB, 1);
        n.chunkFinished(JOB, 1, Duration.ZERO);
        n.chunkAbandoned(JOB, 1);
        n.assemblyFinished(JOB, Duration.ZERO);
        n.batchSucceeded(JOB, 1, 1, 1, Duration.ZERO);
        n.batchFailed(JOB, 1, FailureReason.SHAPE, Duration.ZERO);
        assertEquals(before, measurements(registry), "NOOP changed no meter");
        assertEquals("PipelineListener.NOOP", n.toString());
        // every event method of NOOP is the interface's empty default: it overrides nothing but toString
        for (java.lang.reflect.Method m : n.getClass().getDeclaredMethods()) {
            assertEquals("toString", m.getName(), "NOOP overrides " + m);
        }
        // and composed with a recorder it takes nothing away
        List<String> seen = new ArrayList<>();
        PipelineListener.composite(PipelineListener.NOOP, recorder("r", seen)).batchStarted(JOB, 5);
        assertEquals(List.of("r batchStarted 5"), seen);
        // the same events through the metrics listener do change the meters (the check above can fail)
        metrics.listener().batchStarted(JOB, 1);
        metrics.listener().batchSucceeded(JOB, 1, 1, 1, Duration.ZERO);
        assertEquals(1, successBatches(registry));
    }

    /** Every meter's measurements, by meter id and statistic. */
    private static java.util.Map<String, Double> measurements(MeterRegistry r) {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        r.getMeters().forEach(m -> m.measure().forEach(ms -> out.put(m.getId() + " " + ms.getStatistic(), ms.getValue())));
        return out;
    }

    @Test
    void compositeForwardsEveryEventInOrder() {
        List<String> seen = new ArrayList<>();
        PipelineListener recorder = recorder("r1", seen);
        PipelineListener second = recorder("r2", seen);
        PipelineListener both = PipelineListener.composite(recorder, PipelineListener.NOOP, second);
        both.batchStarted(JOB, 2);
        both.forwardFinished(JOB, Duration.ofMillis(1));
        both.chunkStarted(JOB, 4);
        both.chunkFinished(JOB, 4, Duration.ofMillis(2));
        both.chunkAbandoned(JOB, 5);
        both.assemblyFinished(JOB, Duration.ofMillis(3));
        both.batchSucceeded(JOB, 2, 8, 32, Duration.ofMillis(6));
        both.batchFailed(JOB, 2, FailureReason.BUDGET, Duration.ofMillis(7));
        assertEquals(List.of(
                "r1 batchStarted 2", "r2 batchStarted 2",
                "r1 forwardFinished PT0.001S", "r2 forwardFinished PT0.001S",
                "r1 chunkStarted 4", "r2 chunkStarted 4",
                "r1 chunkFinished 4 PT0.002S", "r2 chunkFinished 4 PT0.002S",
                "r1 chunkAbandoned 5", "r2 chunkAbandoned 5",
                "r1 assemblyFinished PT0.003S", "r2 assemblyFinished PT0.003S",
                "r1 batchSucceeded 2 8 32 PT0.006S", "r2 batchSucceeded 2 8 32 PT0.006S",
                "r1 batchFailed 2 BUDGET PT0.007S", "r2 batchFailed 2 BUDGET PT0.007S"), seen);
    }

    private static PipelineListener recorder(String name, List<String> seen) {
        return new PipelineListener() {
            @Override
            public void batchStarted(String job, int samples) {
                seen.add(name + " batchStarted " + samples);
            }

            @Override
            public void forwardFinished(String job, Duration elapsed) {
                seen.add(name + " forwardFinished " + elapsed);
            }

            @Override
            public void chunkStarted(String job, int rows) {
                seen.add(name + " chunkStarted " + rows);
            }

            @Override
            public void chunkFinished(String job, int rows, Duration elapsed) {
                seen.add(name + " chunkFinished " + rows + " " + elapsed);
            }

            @Override
            public void chunkAbandoned(String job, int rows) {
                seen.add(name + " chunkAbandoned " + rows);
            }

            @Override
            public void assemblyFinished(String job, Duration elapsed) {
                seen.add(name + " assemblyFinished " + elapsed);
            }

            @Override
            public void batchSucceeded(String job, int samples, long entries, long bytes, Duration total) {
                seen.add(name + " batchSucceeded " + samples + " " + entries + " " + bytes + " " + total);
            }

            @Override
            public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
                seen.add(name + " batchFailed " + samples + " " + reason + " " + total);
            }
        };
    }
}
