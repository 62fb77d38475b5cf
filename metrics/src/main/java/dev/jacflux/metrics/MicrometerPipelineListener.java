package dev.jacflux.metrics;

import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.pipeline.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link PipelineListener} that records the pipeline's events as the {@link JacFluxMeter}s in
 * any {@link MeterRegistry}: timers per stage and per batch, counters of batches, samples,
 * failures, Jacobian entries and result bytes, a distribution summary of rows per chunk, and
 * gauges of batches and chunks in flight.
 *
 * <p>Meters are created per job on the first event of that job (all meters of a job at once,
 * so the counters of both outcomes and every failure reason show up as 0 before they first
 * move); after that an event is a map lookup plus the meter update. Use one instance per
 * registry: the in-flight gauges of a second instance for the same job and tags would not be
 * registered, because the registry keeps the first gauge of a name and tags.
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();
 * PipelineListener listener = new MicrometerPipelineListener(registry, Tags.of("pipeline", "train"));
 * listener.batchStarted("batch-jacobian", 32);
 * registry.get("jacflux.inflight.batches").gauge().value();   // 1.0
 * }</pre>
 */
public final class MicrometerPipelineListener implements PipelineListener {

    private final MeterRegistry registry;
    private final Tags commonTags;
    private final Map<String, JobMeters> byJob = new ConcurrentHashMap<>();

    /** Records into {@code registry} with no extra tags. */
    public MicrometerPipelineListener(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /** Records into {@code registry}, adding {@code commonTags} to every meter. */
    public MicrometerPipelineListener(MeterRegistry registry, Iterable<Tag> commonTags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.commonTags = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
    }

    @Override
    public void batchStarted(String job, int samples) {
        meters(job).batchesInFlight.incrementAndGet();
    }

    @Override
    public void forwardFinished(String job, Duration elapsed) {
        meters(job).forward.record(elapsed);
    }

    @Override
    public void chunkStarted(String job, int rows) {
        meters(job).chunksInFlight.incrementAndGet();
    }

    @Override
    public void chunkFinished(String job, int rows, Duration elapsed) {
        JobMeters m = meters(job);
        m.chunksInFlight.decrementAndGet();
        m.vjpChunk.record(elapsed);
        m.chunkRows.record(rows);
    }

    @Override
    public void chunkAbandoned(String job, int rows) {
        meters(job).chunksInFlight.decrementAndGet();
    }

    @Override
    public void assemblyFinished(String job, Duration elapsed) {
        meters(job).assembly.record(elapsed);
    }

    @Override
    public void batchSucceeded(String job, int samples, long jacobianEntries, long resultBytes, Duration total) {
        JobMeters m = meters(job);
        m.batchesInFlight.decrementAndGet();
        m.succeededBatches.increment();
        m.succeededSamples.increment(samples);
        m.jacobianEntries.increment(jacobianEntries);
        m.resultBytes.increment(resultBytes);
        m.succeededDuration.record(total);
    }

    @Override
    public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
        JobMeters m = meters(job);
        m.batchesInFlight.decrementAndGet();
        m.failedBatches.increment();
        m.failedSamples.increment(samples);
        m.failuresByReason.get(reason).increment();
        m.failedDuration.record(total);
    }

    @Override
    public String toString() {
        return "MicrometerPipelineListener" + commonTags + " on " + registry.getClass().getSimpleName();
    }

    private JobMeters meters(String job) {
        JobMeters m = byJob.get(job);
        return m != null ? m : byJob.computeIfAbsent(job, j -> new JobMeters(registry, commonTags.and(JacFluxTags.JOB, j)));
    }

    /** All meters of one job. */
    private static final class JobMeters {
        final Timer forward;
        final Timer vjpChunk;
        final Timer assembly;
        final Timer succeededDuration;
        final Timer failedDuration;
        final Counter succeededBatches;
        final Counter failedBatches;
        final Counter succeededSamples;
        final Counter failedSamples;
        final Map<FailureReason, Counter> failuresByReason = new EnumMap<>(FailureReason.class);
        final Counter jacobianEntries;
        final Counter resultBytes;
        final DistributionSummary chunkRows;
        final AtomicInteger batchesInFlight = new AtomicInteger();
        final AtomicInteger chunksInFlight = new AtomicInteger();

        JobMeters(MeterRegistry r, Tags tags) {
            forward = stageTimer(r, tags, JacFluxTags.STAGE_FORWARD);
            vjpChunk = stageTimer(r, tags, JacFluxTags.STAGE_VJP_CHUNK);
            assembly = stageTimer(r, tags, JacFluxTags.STAGE_ASSEMBLY);
            Tags ok = tags.and(JacFluxTags.OUTCOME, JacFluxTags.OUTCOME_SUCCESS);
            Tags bad = tags.and(JacFluxTags.OUTCOME, JacFluxTags.OUTCOME_FAILURE);
            succeededDuration = timer(r, JacFluxMeter.BATCH_DURATION, ok);
            failedDuration = timer(r, JacFluxMeter.BATCH_DURATION, bad);
            succeededBatches = counter(r, JacFluxMeter.BATCHES, ok);
            failedBatches = counter(r, JacFluxMeter.BATCHES, bad);
            succeededSamples = counter(r, JacFluxMeter.SAMPLES, ok);
            failedSamples = counter(r, JacFluxMeter.SAMPLES, bad);
            for (FailureReason reason : FailureReason.values()) {
                failuresByReason.put(reason,
                        counter(r, JacFluxMeter.FAILED_BATCHES, tags.and(JacFluxTags.REASON, reason.tagValue())));
            }
            jacobianEntries = counter(r, JacFluxMeter.JACOBIAN_ENTRIES, tags);
            resultBytes = counter(r, JacFluxMeter.RESULT_BYTES, tags);
            chunkRows = DistributionSummary.builder(JacFluxMeter.CHUNK_ROWS.meterName())
                    .baseUnit(JacFluxMeter.CHUNK_ROWS.baseUnit())
                    .description(JacFluxMeter.CHUNK_ROWS.description())
                    .tags(tags)
                    .register(r);
            gauge(r, JacFluxMeter.BATCHES_IN_FLIGHT, tags, batchesInFlight);
            gauge(r, JacFluxMeter.CHUNKS_IN_FLIGHT, tags, chunksInFlight);
        }

        private static Timer stageTimer(MeterRegistry r, Tags tags, String stage) {
            return timer(r, JacFluxMeter.STAGE_DURATION, tags.and(JacFluxTags.STAGE, stage));
        }

        private static Timer timer(MeterRegistry r, JacFluxMeter meter, Tags tags) {
            return Timer.builder(meter.meterName()).description(meter.description()).tags(tags).register(r);
        }

        private static Counter counter(MeterRegistry r, JacFluxMeter meter, Tags tags) {
            return Counter.builder(meter.meterName()).baseUnit(meter.baseUnit()).description(meter.description())
                    .tags(tags).register(r);
        }

        private static void gauge(MeterRegistry r, JacFluxMeter meter, Tags tags, AtomicInteger value) {
            Gauge.builder(meter.meterName(), value, AtomicInteger::get).baseUnit(meter.baseUnit())
                    .description(meter.description()).tags(tags).strongReference(true).register(r);
        }
    }
}
