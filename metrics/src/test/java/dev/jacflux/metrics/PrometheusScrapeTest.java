package dev.jacflux.metrics;

import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.pipeline.FailureReason;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a Prometheus scrape of the JacFlux meters looks like (Micrometer 1.13+ Prometheus registry). */
class PrometheusScrapeTest {

    private static final String JOB = "batch-jacobian";
    private PrometheusMeterRegistry registry;

    @BeforeEach
    void report() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JacFluxMetrics metrics = new JacFluxMetrics();
        metrics.bindTo(registry);
        PipelineListener l = metrics.listener();
        l.batchStarted(JOB, 32);
        l.forwardFinished(JOB, Duration.ofMillis(250));
        l.chunkStarted(JOB, 16);
        l.chunkStarted(JOB, 16);
        l.chunkFinished(JOB, 16, Duration.ofMillis(500));
        l.chunkFinished(JOB, 16, Duration.ofMillis(250));
        l.assemblyFinished(JOB, Duration.ofMillis(125));
        l.batchSucceeded(JOB, 32, 2560, 10240, Duration.ofSeconds(1));
        l.batchStarted(JOB, 8);
        l.batchFailed(JOB, 8, FailureReason.NON_FINITE, Duration.ofMillis(2));
        l.batchStarted(JOB, 4);   // still in flight at scrape time
    }

    @Test
    void textFormatUsesConventionalNamesAndBaseUnits() {
        String scrape = registry.scrape();
        assertLines(scrape, List.of(
                "# TYPE jacflux_stage_duration_seconds summary",
                "jacflux_stage_duration_seconds_count{job=\"batch-jacobian\",stage=\"forward\"} 1",
                "jacflux_stage_duration_seconds_sum{job=\"batch-jacobian\",stage=\"forward\"} 0.25",
                "jacflux_stage_duration_seconds_count{job=\"batch-jacobian\",stage=\"vjp-chunk\"} 2",
                "jacflux_stage_duration_seconds_sum{job=\"batch-jacobian\",stage=\"vjp-chunk\"} 0.75",
                "jacflux_stage_duration_seconds_max{job=\"batch-jacobian\",stage=\"vjp-chunk\"} 0.5",
                "jacflux_stage_duration_seconds_count{job=\"batch-jacobian\",stage=\"assembly\"} 1",
                "jacflux_batch_duration_seconds_count{job=\"batch-jacobian\",outcome=\"success\"} 1",
                "jacflux_batch_duration_seconds_sum{job=\"batch-jacobian\",outcome=\"success\"} 1.0",
                "jacflux_batch_duration_seconds_sum{job=\"batch-jacobian\",outcome=\"failure\"} 0.002",
                "# TYPE jacflux_batches_total counter",
                "jacflux_batches_total{job=\"batch-jacobian\",outcome=\"success\"} 1.0",
                "jacflux_batches_total{job=\"batch-jacobian\",outcome=\"failure\"} 1.0",
                "jacflux_samples_total{job=\"batch-jacobian\",outcome=\"success\"} 32.0",
                "jacflux_samples_total{job=\"batch-jacobian\",outcome=\"failure\"} 8.0",
                "jacflux_failed_batches_total{job=\"batch-jacobian\",reason=\"non-finite\"} 1.0",
                "jacflux_failed_batches_total{job=\"batch-jacobian\",reason=\"shape\"} 0.0",
                "jacflux_jacobian_entries_total{job=\"batch-jacobian\"} 2560.0",
                "# TYPE jacflux_result_bytes_total counter",
                "jacflux_result_bytes_total{job=\"batch-jacobian\"} 10240.0",
                "jacflux_chunk_rows_count{job=\"batch-jacobian\"} 2",
                "jacflux_chunk_rows_sum{job=\"batch-jacobian\"} 32.0",
                "# TYPE jacflux_inflight_batches gauge",
                "jacflux_inflight_batches{job=\"batch-jacobian\"} 1.0",
                "jacflux_inflight_chunks{job=\"batch-jacobian\"} 0.0",
                "# HELP jacflux_samples_total Samples in finished batches, by outcome; rate() gives throughput in"
                        + " samples per second"));
        // units are not doubled (no jacflux_result_bytes_bytes_total, no jacflux_inflight_batches_batches)
        assertFalse(scrape.contains("bytes_bytes"), scrape);
        assertFalse(scrape.contains("batches_batches"), scrape);
        assertFalse(scrape.contains("milliseconds"), scrape);
    }

    @Test
    void openMetricsFormatKeepsSampleNames() {
        String scrape = registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertLines(scrape, List.of(
                "# TYPE jacflux_result_bytes counter",
                "jacflux_result_bytes_total{job=\"batch-jacobian\"} 10240.0",
                "jacflux_stage_duration_seconds_count{job=\"batch-jacobian\",stage=\"forward\"} 1",
                "jacflux_samples_total{job=\"batch-jacobian\",outcome=\"success\"} 32.0",
                "# EOF"));
    }

    private static void assertLines(String scrape, List<String> expected) {
        List<String> lines = scrape.lines().toList();
        for (String line : expected) {
            assertTrue(lines.contains(line), () -> "missing line: " + line + "\n--- scrape ---\n" + scrape);
        }
    }
}
