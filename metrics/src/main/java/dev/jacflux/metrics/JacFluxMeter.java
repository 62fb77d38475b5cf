package dev.jacflux.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.List;

/**
 * Every meter JacFlux publishes: its Micrometer name (dot-separated; registries render it in
 * their own convention), type, base unit, description and tag keys.
 *
 * <p>In Prometheus the names become e.g. {@code jacflux_stage_duration_seconds_count},
 * {@code jacflux_samples_total} and {@code jacflux_result_bytes_total}. Throughput in samples
 * per second is the rate of {@link #SAMPLES}: {@code rate(jacflux_samples_total{outcome="success"}[1m])};
 * for the Jacobian jobs that is also N x M matrices per second, and the rate of
 * {@link #JACOBIAN_ENTRIES} is entries per second.
 * <pre>{@code
 * JacFluxMeter m = JacFluxMeter.STAGE_DURATION;
 * m.meterName();   // "jacflux.stage.duration"
 * m.type();        // Meter.Type.TIMER
 * m.baseUnit();    // "seconds"
 * m.tagKeys();     // [job, stage]
 * }</pre>
 */
public enum JacFluxMeter implements DescribedMeter {
    /** Time per stage: the forward pass and assembly once per batch, the VJP once per row chunk. */
    STAGE_DURATION("jacflux.stage.duration", Meter.Type.TIMER, "seconds",
            "Time spent in one pipeline stage: forward (per batch), vjp-chunk (per row chunk), assembly (per batch)",
            JacFluxTags.JOB, JacFluxTags.STAGE),
    /** End-to-end time of a batch, from admission to its result or failure. */
    BATCH_DURATION("jacflux.batch.duration", Meter.Type.TIMER, "seconds",
            "End-to-end time of a batch from admission to its result or failure",
            JacFluxTags.JOB, JacFluxTags.OUTCOME),
    /** Batches finished, by outcome. */
    BATCHES("jacflux.batches", Meter.Type.COUNTER, "batches",
            "Batches finished, by outcome", JacFluxTags.JOB, JacFluxTags.OUTCOME),
    /** Samples in finished batches, by outcome; its rate is the throughput in samples per second. */
    SAMPLES("jacflux.samples", Meter.Type.COUNTER, "samples",
            "Samples in finished batches, by outcome; rate() gives throughput in samples per second",
            JacFluxTags.JOB, JacFluxTags.OUTCOME),
    /** Failed batches by low-cardinality reason. */
    FAILED_BATCHES("jacflux.failed.batches", Meter.Type.COUNTER, "batches",
            "Failed batches by reason: shape, non-finite, budget, internal, cancelled",
            JacFluxTags.JOB, JacFluxTags.REASON),
    /** Jacobian (or per-sample gradient) entries produced by successful batches. */
    JACOBIAN_ENTRIES("jacflux.jacobian.entries", Meter.Type.COUNTER, "entries",
            "Jacobian or per-sample gradient entries produced by successful batches", JacFluxTags.JOB),
    /** Bytes of result arrays produced by successful batches. */
    RESULT_BYTES("jacflux.result.bytes", Meter.Type.COUNTER, BaseUnits.BYTES,
            "Bytes of result arrays produced by successful batches", JacFluxTags.JOB),
    /** Cotangent rows per finished VJP chunk. */
    CHUNK_ROWS("jacflux.chunk.rows", Meter.Type.DISTRIBUTION_SUMMARY, "rows",
            "Cotangent rows per finished VJP chunk", JacFluxTags.JOB),
    /** Batches admitted and not yet finished. */
    BATCHES_IN_FLIGHT("jacflux.inflight.batches", Meter.Type.GAUGE, "batches",
            "Batches admitted and not yet finished", JacFluxTags.JOB),
    /** Row chunks started and not yet finished. */
    CHUNKS_IN_FLIGHT("jacflux.inflight.chunks", Meter.Type.GAUGE, "chunks",
            "Row chunks started and not yet finished", JacFluxTags.JOB);

    private final MeterSpec spec;

    JacFluxMeter(String meterName, Meter.Type type, String baseUnit, String description, String... tagKeys) {
        this.spec = new MeterSpec(meterName, type, baseUnit, description, List.of(tagKeys));
    }

    @Override
    public MeterSpec spec() {
        return spec;
    }
}
