package dev.jacflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.NonFinitePolicy;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.metrics.JacFluxMetrics;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.PipelineResult;
import dev.jacflux.spring.boot.testapp.StarterTestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import reactor.core.publisher.Flux;

/** The test application with only the starter added: context, beans, bound properties, a working pipeline. */
@SpringBootTest(classes = StarterTestApplication.class, properties = {
    "jacflux.memory-budget=1GiB",
    "jacflux.parallelism=1",
    "jacflux.chunk-size=3",
    "jacflux.precision=float64",
    "jacflux.non-finite-policy=allow",
    "jacflux.batches-in-flight=3"})
class StarterApplicationTest {
    @Autowired
    PipelineConfig config;
    @Autowired
    JacFluxMetrics metrics;
    @Autowired
    JacobianPipelines pipelines;
    @Autowired
    JacobianPipeline pipeline;
    @Autowired
    JacFluxHealthIndicator health;
    @Autowired
    MeterRegistry registry;

    @Test
    void propertiesAreBoundIntoThePipelineConfiguration() {
        assertEquals(1L << 30, config.memoryBudgetBytes());
        assertEquals(1, config.parallelism());
        assertEquals(3, config.chunkSize());
        assertEquals(Precision.FLOAT64, config.precision());
        assertEquals(NonFinitePolicy.ALLOW, config.nonFinitePolicy());
        assertEquals(3, config.batchesInFlight());
        assertEquals(2, config.chunksInFlight(), "derived: twice the parallelism");
        assertEquals(config, pipelines.config());
    }

    @Test
    void theJobDefinitionBeanGetsAPipelineWhoseResultsEqualTheDirectCall() {
        assertEquals(JobKind.BATCH_JACOBIAN, pipeline.job());
        assertEquals(config.toBuilder().job(JobKind.BATCH_JACOBIAN).build(), pipeline.config());
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(11);
        List<INDArray> inputs = List.of(Nd4j.randn(rng, new long[] {5, 6}), Nd4j.randn(rng, new long[] {2, 6}));
        List<PipelineResult> results = pipeline.process(Flux.range(0, inputs.size()).map(i -> Batch.of("b" + i, inputs.get(i))))
                .collectList().block();
        assertNotNull(results);
        assertEquals(2, results.size());
        for (int i = 0; i < inputs.size(); i++) {
            JacobianResult r = (JacobianResult) results.get(i);
            INDArray x = inputs.get(i).castTo(DataType.DOUBLE);
            INDArray direct = BatchJacobian.of(StarterTestApplication.function(), JacobianOptions.DEFAULT.withChunkSize(3)).compute(x);
            assertEquals("b" + i, r.batchId());
            assertEquals(DataType.DOUBLE, r.array().dataType());
            assertArrayEquals(direct.shape(), r.array().shape());
            assertEquals(direct, r.array(), "pipeline result equals the direct call with the same chunk size");
            INDArray loop = RowLoop.batchJacobian(StarterTestApplication.function(), x);
            assertTrue(loop.equalsWithEps(r.array(), 1e-12), "and the one-row-at-a-time reference");
        }
    }

    @Test
    void jacfluxMetersReachTheApplicationRegistry() {
        INDArray x = Nd4j.randn(Nd4j.getRandomFactory().getNewRandomInstance(3), new long[] {4, 6});
        double before = count();
        pipeline.process(Flux.just(Batch.of("m", x))).blockLast();
        assertEquals(before + 4, count(), "jacflux.samples{outcome=success} counted the 4 samples");
        assertNotNull(registry.find("jacflux.stage.duration").tag("stage", "forward").timer());
    }

    private double count() {
        var c = registry.find("jacflux.samples").tag("outcome", "success").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void healthIsUpWithBackendThreadsAndBudget() {
        Health h = health.health();
        assertEquals(Status.UP, h.getStatus());
        assertEquals("CpuBackend", h.getDetails().get("backend"));
        assertEquals(1, h.getDetails().get("parallelism"));
        assertEquals("1GiB", h.getDetails().get("memoryBudget"));
        assertTrue(((Number) h.getDetails().get("nd4jThreads")).intValue() >= 1);
        assertTrue(((Number) h.getDetails().get("offHeapLimitBytes")).longValue() > 0);
    }
}
