package dev.jacflux.service.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The pipelines' totals since the service started, as the dashboard's stream sends them; the
 * same counts as the {@code jacflux_*} counters of {@code /actuator/prometheus} (summed over jobs).
 *
 * <pre>{@code
 * {"samples": 4096, "failed_samples": 3, "jacobian_entries": 32112640, "succeeded_batches": 16, "failed_batches": 1,
 *  "batches_in_flight": 0, "failures": {"shape": 0, "non-finite": 1, "budget": 0, "internal": 0, "cancelled": 0}}
 * }</pre>
 *
 * @param samples          samples of successful batches ({@code jacflux.samples{outcome=success}})
 * @param failedSamples    samples of failed batches ({@code jacflux.samples{outcome=failure}})
 * @param jacobianEntries  entries produced ({@code jacflux.jacobian.entries})
 * @param succeededBatches batches with a result ({@code jacflux.batches{outcome=success}})
 * @param failedBatches    batches that failed ({@code jacflux.batches{outcome=failure}})
 * @param batchesInFlight  batches admitted and not finished ({@code jacflux.inflight.batches})
 * @param failures         failed batches by reason ({@code jacflux.failed.batches{reason}})
 */
public record Totals(long samples, @JsonProperty("failed_samples") long failedSamples, @JsonProperty("jacobian_entries") long jacobianEntries,
        @JsonProperty("succeeded_batches") long succeededBatches, @JsonProperty("failed_batches") long failedBatches,
        @JsonProperty("batches_in_flight") long batchesInFlight, Map<String, Long> failures) {
    /** A copy of {@code failures}. */
    public Totals {
        failures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(failures));
    }
}
