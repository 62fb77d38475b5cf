package dev.jacflux.service.dashboard;

import dev.jacflux.pipeline.FailureReason;
import dev.jacflux.pipeline.PipelineListener;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The dashboard's view of the service's pipelines: a {@link PipelineListener} bean (so every
 * pipeline the service creates reports to it, beside the Micrometer listener) that keeps totals
 * since the start (samples, Jacobian entries, batches by outcome, failures by reason) and, per
 * interval, the stage durations. It keeps numbers only: no batch, no result, no model.
 *
 * <pre>{@code
 * PipelineAggregates a = new PipelineAggregates();
 * a.batchSucceeded("batch-jacobian", 32, 32L * 10 * 784, 4L * 32 * 10 * 784, Duration.ofMillis(15));
 * a.totals().samples();                 // 32
 * a.drainStages().get("forward");       // the forward passes since the last drain
 * }</pre>
 */
public final class PipelineAggregates implements PipelineListener {
    /** Stage names, as the {@code stage} tag of {@code jacflux.stage.duration}. */
    public static final String FORWARD = "forward";
    /** The VJP of one row chunk. */
    public static final String VJP_CHUNK = "vjp-chunk";
    /** Assembling a batch's result. */
    public static final String ASSEMBLY = "assembly";

    private final LongAdder samples = new LongAdder();
    private final LongAdder failedSamples = new LongAdder();
    private final LongAdder entries = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder inFlight = new LongAdder();
    private final Map<FailureReason, LongAdder> failures = new EnumMap<>(FailureReason.class);
    private final LatencyHistogram forward = new LatencyHistogram();
    private final LatencyHistogram vjpChunk = new LatencyHistogram();
    private final LatencyHistogram assembly = new LatencyHistogram();
    private final LatencyHistogram batch = new LatencyHistogram();

    /** Empty aggregates. */
    public PipelineAggregates() {
        for (FailureReason r : FailureReason.values()) {
            failures.put(r, new LongAdder());
        }
    }

    @Override
    public void batchStarted(String job, int samples) {
        inFlight.increment();
    }

    @Override
    public void forwardFinished(String job, Duration elapsed) {
        forward.record(elapsed.toNanos());
    }

    @Override
    public void chunkFinished(String job, int rows, Duration elapsed) {
        vjpChunk.record(elapsed.toNanos());
    }

    @Override
    public void assemblyFinished(String job, Duration elapsed) {
        assembly.record(elapsed.toNanos());
    }

    @Override
    public void batchSucceeded(String job, int samples, long jacobianEntries, long resultBytes, Duration total) {
        inFlight.decrement();
        succeeded.increment();
        this.samples.add(samples);
        entries.add(jacobianEntries);
        batch.record(total.toNanos());
    }

    @Override
    public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
        inFlight.decrement();
        failed.increment();
        failedSamples.add(samples);
        failures.get(reason).increment();
        batch.record(total.toNanos());
    }

    /** Totals since the start. */
    public Totals totals() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        for (FailureReason r : FailureReason.values()) {
            byReason.put(r.tagValue(), failures.get(r).sum());
        }
        return new Totals(samples.sum(), failedSamples.sum(), entries.sum(), succeeded.sum(), failed.sum(), inFlight.sum(), byReason);
    }

    /** Stage and batch durations since the last drain, by stage name ({@code forward}, {@code vjp-chunk}, {@code assembly}, {@code batch}). */
    public Map<String, LatencyHistogram.Summary> drainStages() {
        Map<String, LatencyHistogram.Summary> out = new LinkedHashMap<>();
        out.put(FORWARD, forward.drain());
        out.put(VJP_CHUNK, vjpChunk.drain());
        out.put(ASSEMBLY, assembly.drain());
        out.put("batch", batch.drain());
        return out;
    }

    @Override
    public String toString() {
        return "PipelineAggregates[dashboard]";
    }
}
