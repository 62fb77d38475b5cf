package dev.jacflux.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.transforms.PerSampleFunction;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JobDefinitions;
import java.util.List;
import java.util.Random;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import reactor.core.publisher.Flux;

/** The pipeline's events, through {@link MicrometerPipelineListener}, move the meters as documented. */
class PipelineMetricsTest {
    private static final int IN = 6;
    private static final int HIDDEN = 5;
    private static final int OUT = 3;

    /** Cross-entropy of a tanh MLP with PyTorch-layout weights [HIDDEN, IN], [HIDDEN], [OUT, HIDDEN], [OUT]. */
    private static final PerSampleFunction LOSS = (x, t, p) -> CrossEntropy.apply(x.matmul(p.get(0).transpose()).add(p.get(1)).tanh()
            .matmul(p.get(2).transpose()).add(p.get(3)), t);

    private static INDArray random(long seed, long... shape) {
        Random rnd = new Random(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] data = new double[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextDouble() * 2 - 1;
        }
        return Nd4j.create(data, shape, DataType.DOUBLE);
    }

    private static List<INDArray> params() {
        return List.of(random(1, HIDDEN, IN), random(2, HIDDEN), random(3, OUT, HIDDEN), random(4, OUT));
    }

    private static Batch batch(String id, long seed, int samples) {
        long[] labels = new long[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = (seed + i) % OUT;
        }
        return Batch.of(id, random(seed, samples, IN), Nd4j.createFromArray(labels));
    }

    @Test
    void countersAndTimersMoveAsBatchesPass() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PipelineConfig c = PipelineConfig.builder().job(JobKind.PER_SAMPLE_GRADIENTS).parallelism(2).chunkSize(2)
                .precision(Precision.FLOAT64).build();
        try (JacobianPipeline p = JacobianPipeline.create(c, JobDefinitions.perSampleGradients(LOSS, params(), List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")),
                new MicrometerPipelineListener(registry))) {
            p.process(Flux.just(batch("a", 1, 5), Batch.of("bad", random(1, 2, 2)),
                    batch("b", 2, 3))).blockLast();
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
