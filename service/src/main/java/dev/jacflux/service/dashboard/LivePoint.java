package dev.jacflux.service.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One point of the dashboard's live charts: the rates over one interval and the stage durations
 * recorded in it (seconds; all zero for a stage that did not run).
 *
 * <pre>{@code
 * {"t": 1764603300000, "seconds": 1.0, "samples_per_second": 512.0, "entries_per_second": 4014080.0,
 *  "batches_per_second": 2.0, "failed_batches_per_second": 0.0,
 *  "stages": {"forward": {"count": 2, "p50": 0.0041, "p95": 0.0049, "max": 0.0049}, "vjp-chunk": {...}, "assembly": {...}, "batch": {...}}}
 * }</pre>
 *
 * @param t                      end of the interval, milliseconds since the epoch
 * @param seconds                length of the interval
 * @param samplesPerSecond       samples of successful batches per second
 * @param entriesPerSecond       Jacobian (or gradient) entries per second
 * @param batchesPerSecond       successful batches per second
 * @param failedBatchesPerSecond failed batches per second
 * @param stages                 durations by stage: {@code forward}, {@code vjp-chunk}, {@code assembly}, and {@code batch} (end to end)
 */
public record LivePoint(long t, double seconds, @JsonProperty("samples_per_second") double samplesPerSecond,
        @JsonProperty("entries_per_second") double entriesPerSecond, @JsonProperty("batches_per_second") double batchesPerSecond,
        @JsonProperty("failed_batches_per_second") double failedBatchesPerSecond, Map<String, LatencyHistogram.Summary> stages) {

    /** The point between two totals taken {@code seconds} apart. */
    public static LivePoint between(Totals before, Totals after, long t, double seconds, Map<String, LatencyHistogram.Summary> stages) {
        double s = seconds > 0 ? seconds : 1;
        return new LivePoint(t, seconds, (after.samples() - before.samples()) / s, (after.jacobianEntries() - before.jacobianEntries()) / s,
                (after.succeededBatches() - before.succeededBatches()) / s, (after.failedBatches() - before.failedBatches()) / s,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stages)));
    }
}
