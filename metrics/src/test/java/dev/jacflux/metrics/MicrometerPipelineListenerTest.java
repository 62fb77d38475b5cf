package dev.jacflux.metrics;

import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.pipeline.FailureReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.CountingMode;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MicrometerPipelineListenerTest {

    private static final String JOB = "per-sample-gradients";
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PipelineListener listener = new MicrometerPipelineListener(registry);

    private Timer stage(String stage) {
        return registry.get("jacflux.stage.duration").tags("job", JOB, "stage", stage).timer();
    }

    private Counter counter(String name, String... tags) {
        return registry.get(name).tags("job", JOB).tags(tags).counter();
    }

    private double gauge(String name) {
        return registry.get(name).tags("job", JOB).gauge().value();
    }

    @Test
    void stageTimersMove() {
        listener.batchStarted(JOB, 8);
        listener.forwardFinished(JOB, Duration.ofMillis(30));
        assertEquals(1, stage("forward").count());
        assertEquals(30, stage("forward").totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(0, stage("vjp-chunk").count());

        listener.chunkStarted(JOB, 5);
        listener.chunkFinished(JOB, 5, Duration.ofMillis(40));
        listener.chunkStarted(JOB, 3);
        listener.chunkFinished(JOB, 3, Duration.ofMillis(20));
        assertEquals(2, stage("vjp-chunk").count());
        assertEquals(60, stage("vjp-chunk").totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(40, stage("vjp-chunk").max(TimeUnit.MILLISECONDS), 1e-9);

        listener.assemblyFinished(JOB, Duration.ofMillis(7));
        assertEquals(1, stage("assembly").count());
        assertEquals(7, stage("assembly").totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(1, stage("forward").count());
    }

    @Test
    void rowsPerChunkSummary() {
        listener.chunkStarted(JOB, 5);
        listener.chunkFinished(JOB, 5, Duration.ofMillis(1));
        listener.chunkStarted(JOB, 3);
        listener.chunkFinished(JOB, 3, Duration.ofMillis(1));
        listener.chunkStarted(JOB, 4);
        listener.chunkAbandoned(JOB, 4);   // abandoned chunks are not measured
        DistributionSummary rows = registry.get("jacflux.chunk.rows").tags("job", JOB).summary();
        assertEquals(2, rows.count());
        assertEquals(8, rows.totalAmount(), 1e-9);
        assertEquals(5, rows.max(), 1e-9);
        assertEquals(2, stage("vjp-chunk").count());
    }

    @Test
    void successCountsBatchesSamplesEntriesAndBytes() {
        listener.batchStarted(JOB, 32);
        listener.batchSucceeded(JOB, 32, 32 * 100, 32 * 100 * 4, Duration.ofMillis(90));
        listener.batchStarted(JOB, 16);
        listener.batchSucceeded(JOB, 16, 16 * 100, 16 * 100 * 4, Duration.ofMillis(50));

        assertEquals(2, counter("jacflux.batches", "outcome", "success").count());
        assertEquals(0, counter("jacflux.batches", "outcome", "failure").count());
        assertEquals(48, counter("jacflux.samples", "outcome", "success").count());
        assertEquals(0, counter("jacflux.samples", "outcome", "failure").count());
        assertEquals(4800, counter("jacflux.jacobian.entries").count());
        assertEquals(19200, counter("jacflux.result.bytes").count());
        Timer batch = registry.get("jacflux.batch.duration").tags("job", JOB, "outcome", "success").timer();
        assertEquals(2, batch.count());
        assertEquals(140, batch.totalTime(TimeUnit.MILLISECONDS), 1e-9);
    }

    @ParameterizedTest
    @EnumSource(FailureReason.class)
    void failureCountsByReason(FailureReason reason) {
        listener.batchStarted(JOB, 10);
        listener.batchFailed(JOB, 10, reason, Duration.ofMillis(3));

        assertEquals(1, counter("jacflux.batches", "outcome", "failure").count());
        assertEquals(0, counter("jacflux.batches", "outcome", "success").count());
        assertEquals(10, counter("jacflux.samples", "outcome", "failure").count());
        for (FailureReason r : FailureReason.values()) {
            assertEquals(r == reason ? 1 : 0, counter("jacflux.failed.batches", "reason", r.tagValue()).count(),
                    r.tagValue());
        }
        assertEquals(0, counter("jacflux.jacobian.entries").count());
        assertEquals(0, counter("jacflux.result.bytes").count());
        assertEquals(1, registry.get("jacflux.batch.duration").tags("job", JOB, "outcome", "failure").timer().count());
        assertEquals(0, gauge("jacflux.inflight.batches"));
    }

    @Test
    void failureReasonTagValues() {
        assertEquals(List.of("shape", "non-finite", "budget", "internal", "cancelled"),
                List.of(FailureReason.values()).stream().map(FailureReason::tagValue).toList());
    }

    @Test
    void gaugesReflectInFlightCounts() {
        listener.batchStarted(JOB, 4);
        listener.batchStarted(JOB, 4);
        listener.batchStarted(JOB, 4);
        assertEquals(3, gauge("jacflux.inflight.batches"));
        assertEquals(0, gauge("jacflux.inflight.chunks"));

        listener.chunkStarted(JOB, 2);
        listener.chunkStarted(JOB, 2);
        assertEquals(2, gauge("jacflux.inflight.chunks"));
        listener.chunkFinished(JOB, 2, Duration.ofMillis(1));
        assertEquals(1, gauge("jacflux.inflight.chunks"));
        listener.chunkAbandoned(JOB, 2);
        assertEquals(0, gauge("jacflux.inflight.chunks"));

        listener.batchSucceeded(JOB, 4, 1, 1, Duration.ofMillis(1));
        assertEquals(2, gauge("jacflux.inflight.batches"));
        listener.batchFailed(JOB, 4, FailureReason.CANCELLED, Duration.ofMillis(1));
        listener.batchFailed(JOB, 4, FailureReason.INTERNAL, Duration.ofMillis(1));
        assertEquals(0, gauge("jacflux.inflight.batches"));
    }

    @Test
    void concurrentEventsAreCountedExactly() throws InterruptedException {
        int threads = 4;
        int batchesPerThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < batchesPerThread; i++) {
                    listener.batchStarted(JOB, 2);
                    listener.chunkStarted(JOB, 3);
                    listener.chunkFinished(JOB, 3, Duration.ofNanos(100));
                    listener.batchSucceeded(JOB, 2, 6, 24, Duration.ofNanos(200));
                }
            });
            w.start();
            workers.add(w);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        int total = threads * batchesPerThread;
        assertEquals(total, counter("jacflux.batches", "outcome", "success").count());
        assertEquals(2.0 * total, counter("jacflux.samples", "outcome", "success").count());
        assertEquals(total, stage("vjp-chunk").count());
        assertEquals(0, gauge("jacflux.inflight.batches"));
        assertEquals(0, gauge("jacflux.inflight.chunks"));
    }

    @Test
    void jobsAreSeparateSeriesAndCommonTagsApply() {
        PipelineListener tagged = new MicrometerPipelineListener(registry, Tags.of("pipeline", "train"));
        tagged.batchStarted("batch-jacobian", 1);
        tagged.batchStarted("full-jacobian", 1);
        tagged.batchStarted("full-jacobian", 1);
        assertEquals(1, registry.get("jacflux.inflight.batches").tags("pipeline", "train", "job", "batch-jacobian")
                .gauge().value());
        assertEquals(2, registry.get("jacflux.inflight.batches").tags("pipeline", "train", "job", "full-jacobian")
                .gauge().value());
        for (Meter m : registry.getMeters()) {
            assertEquals("train", m.getId().getTag("pipeline"), m.getId().toString());
        }
    }

    @Test
    void noMetersBeforeTheFirstEventThenAllOfThem() {
        assertNull(registry.find("jacflux.batches").meter());
        listener.forwardFinished(JOB, Duration.ofMillis(1));
        // 3 stage timers, 2 batch timers, 2+2 outcome counters, 5 reasons, entries, bytes, rows, 2 gauges
        assertEquals(19, registry.getMeters().size());
    }

    @ParameterizedTest
    @EnumSource(JacFluxMeter.class)
    void registeredMetersMatchTheirEnumEntry(JacFluxMeter meter) {
        new MicrometerPipelineListener(registry, Tags.of("pipeline", "p")).batchStarted(JOB, 1);
        List<Meter> found = List.copyOf(registry.find(meter.meterName()).meters());
        assertEquals(false, found.isEmpty(), meter.meterName());
        for (Meter m : found) {
            Meter.Id id = m.getId();
            assertEquals(meter.type(), id.getType(), id.toString());
            assertEquals(meter.description(), id.getDescription(), id.toString());
            if (meter.type() != Meter.Type.TIMER) {
                assertEquals(meter.baseUnit(), id.getBaseUnit(), id.toString());
            }
            List<String> keys = id.getTags().stream().map(t -> t.getKey()).sorted().collect(Collectors.toList());
            List<String> expected = new ArrayList<>(meter.tagKeys());
            expected.add("pipeline");
            expected.sort(null);
            assertEquals(expected, keys, id.toString());
        }
        assertNotNull(meter.baseUnit());
        assertEquals(true, meter.meterName().matches("jacflux(\\.[a-z]+)+"), meter.meterName());
    }

    @Test
    void throughputIsTheRateOfTheSamplesCounter() {
        MockClock clock = new MockClock();
        SimpleConfig stepConfig = new SimpleConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public CountingMode mode() {
                return CountingMode.STEP;
            }

            @Override
            public Duration step() {
                return Duration.ofSeconds(10);
            }
        };
        SimpleMeterRegistry stepRegistry = new SimpleMeterRegistry(stepConfig, clock);
        PipelineListener l = new MicrometerPipelineListener(stepRegistry);
        for (int i = 0; i < 5; i++) {
            l.batchStarted(JOB, 64);
            l.batchSucceeded(JOB, 64, 64, 256, Duration.ofMillis(10));
        }
        clock.add(Duration.ofSeconds(10));
        Counter samples = stepRegistry.get("jacflux.samples").tags("job", JOB, "outcome", "success").counter();
        double perSecond = samples.count() / stepConfig.step().toSeconds();
        assertEquals(32.0, perSecond, 1e-9);   // 5 * 64 samples in a 10 s step
    }
}
