package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.metrics.MicrometerPipelineListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import reactor.core.publisher.Flux;

class PipelineMetricsTest {

    @Test
    void countersAndTimersMoveAsBatchesPass() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PipelineConfig c = PipelineConfig.builder().job(JobKind.PER_SAMPLE_GRADIENTS).parallelism(2).chunkSize(2)
                .precision(Precision.FLOAT64).build();
        try (JacobianPipeline p = JacobianPipeline.create(c, Fixtures.definition(JobKind.PER_SAMPLE_GRADIENTS, DataType.DOUBLE),
                new MicrometerPipelineListener(registry))) {
            p.process(Flux.just(Fixtures.batch("a", 1, 5, DataType.DOUBLE), Batch.of("bad", Fixtures.random(1, DataType.DOUBLE, 2, 2)),
                    Fixtures.batch("b", 2, 3, DataType.DOUBLE))).blockLast();
        }
        String job = "per-sample-gradients";
        assertEquals(2.0, registry.get("jacflux.batches").tag("job", job).tag("outcome", "success").counter().count());
        assertEquals(1.0, registry.get("jacflux.batches").tag("job", job).tag("outcome", "failure").counter().count());
        assertEquals(8.0, registry.get("jacflux.samples").tag("job", job).tag("outcome", "success").counter().count());
        assertEquals(1.0, registry.get("jacflux.failed.batches").tag("reason", "shape").counter().count());
        long m = 5L * 6 + 5 + 3L * 5 + 3;
        assertEquals(8.0 * m, registry.get("jacflux.jacobian.entries").counter().count());
        assertEquals(8.0 * m * 8, registry.get("jacflux.result.bytes").counter().count());
        assertEquals(2, registry.get("jacflux.stage.duration").tag("stage", "forward").timer().count());
        assertEquals(5, registry.get("jacflux.stage.duration").tag("stage", "vjp-chunk").timer().count(), "3 + 2 chunks of <= 2 samples");
        assertEquals(2, registry.get("jacflux.stage.duration").tag("stage", "assembly").timer().count());
        assertTrue(registry.get("jacflux.stage.duration").tag("stage", "vjp-chunk").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
        assertEquals(5, registry.get("jacflux.chunk.rows").summary().count());
        assertEquals(0.0, registry.get("jacflux.inflight.batches").gauge().value());
        assertEquals(0.0, registry.get("jacflux.inflight.chunks").gauge().value());
    }
}
