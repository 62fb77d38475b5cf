package dev.jacflux.service.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.pipeline.FailureReason;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aggregates count what the pipeline reports, as the Micrometer listener does. */
class PipelineAggregatesTest {

    @Test
    void totalsAndStagesFollowTheEvents() {
        PipelineAggregates a = new PipelineAggregates();
        for (int i = 0; i < 3; i++) {
            a.batchStarted("batch-jacobian", 32);
            a.forwardFinished("batch-jacobian", Duration.ofMillis(4));
            a.chunkStarted("batch-jacobian", 16);
            a.chunkFinished("batch-jacobian", 16, Duration.ofMillis(9));
            a.chunkStarted("batch-jacobian", 16);
            a.chunkFinished("batch-jacobian", 16, Duration.ofMillis(11));
            a.assemblyFinished("batch-jacobian", Duration.ofMillis(1));
            a.batchSucceeded("batch-jacobian", 32, 32L * 10 * 784, 4L * 32 * 10 * 784, Duration.ofMillis(25));
        }
        a.batchStarted("per-sample-gradients", 7);
        a.batchStarted("per-sample-gradients", 5);
        a.batchFailed("per-sample-gradients", 7, FailureReason.NON_FINITE, Duration.ofMillis(2));

        Totals t = a.totals();
        assertEquals(96, t.samples());
        assertEquals(7, t.failedSamples());
        assertEquals(3L * 32 * 10 * 784, t.jacobianEntries());
        assertEquals(3, t.succeededBatches());
        assertEquals(1, t.failedBatches());
        assertEquals(1, t.batchesInFlight());
        assertEquals(Map.of("shape", 0L, "non-finite", 1L, "budget", 0L, "internal", 0L, "cancelled", 0L), t.failures());

        Map<String, LatencyHistogram.Summary> stages = a.drainStages();
        assertEquals(3, stages.get("forward").count());
        assertEquals(6, stages.get("vjp-chunk").count());
        assertEquals(0.011, stages.get("vjp-chunk").max(), 0);
        assertEquals(3, stages.get("assembly").count());
        assertEquals(4, stages.get("batch").count());
        assertEquals(0, a.drainStages().get("forward").count(), "drained");
        assertEquals(96, a.totals().samples(), "totals are not drained");
    }
}
