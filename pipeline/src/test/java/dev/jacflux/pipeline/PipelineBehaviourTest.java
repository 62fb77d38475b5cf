package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.ErrorPolicy;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.Ordering;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class PipelineBehaviourTest {
    private static final int[] SIZES = {12, 1, 9, 2, 7, 1, 5, 3};

    private static PipelineConfig.Builder config() {
        return PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).parallelism(2).chunkSize(1).batchesInFlight(3).chunksInFlight(6)
                .precision(Precision.FLOAT64);
    }

    private static JacobianPipeline pipeline(PipelineConfig c, RecordingListener l) {
        return JacobianPipeline.create(c, Fixtures.definition(c.job(), DataType.DOUBLE), l);
    }

    private static Flux<Batch> batches() {
        return Flux.range(0, SIZES.length).map(i -> Fixtures.batch("b" + i, 100 + i, SIZES[i], DataType.DOUBLE));
    }

    @Test
    void inputOrderGivesOneResultPerBatchInOrder() {
        RecordingListener l = new RecordingListener();
        try (JacobianPipeline p = pipeline(config().build(), l)) {
            StepVerifier.create(p.process(batches()).map(PipelineResult::batchId))
                    .expectNext("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7")
                    .verifyComplete();
        }
        assertEquals(SIZES.length, l.succeeded.get());
    }

    @Test
    void completionOrderStillGivesExactlyOneResultPerBatch() {
        try (JacobianPipeline p = pipeline(config().ordering(Ordering.COMPLETION_ORDER).build(), new RecordingListener())) {
            List<String> ids = p.process(batches()).map(PipelineResult::batchId).collectList().block();
            assertEquals(SIZES.length, ids.size());
            assertEquals(IntStream.range(0, SIZES.length).mapToObj(i -> "b" + i).collect(Collectors.toSet()), Set.copyOf(ids));
        }
    }

    @Test
    void oneBadBatchBecomesAFailureAndTheStreamGoesOn() {
        RecordingListener l = new RecordingListener();
        INDArray nan = Fixtures.random(5, DataType.DOUBLE, 2, Fixtures.IN);
        nan.putScalar(1, 3, Double.NaN);
        Flux<Batch> input = Flux.just(Fixtures.batch("ok1", 1, 3, DataType.DOUBLE),
                Batch.of("wrong-shape", Fixtures.random(2, DataType.DOUBLE, 3, Fixtures.IN + 1)),
                Batch.of("has-nan", nan),
                Batch.of("empty", Nd4j.create(DataType.DOUBLE, 0, Fixtures.IN)),
                Fixtures.batch("ok2", 3, 2, DataType.DOUBLE));
        try (JacobianPipeline p = pipeline(config().build(), l)) {
            StepVerifier.create(p.process(input))
                    .assertNext(r -> assertTrue(r.isSuccess() && r.batchId().equals("ok1")))
                    .assertNext(r -> {
                        BatchFailure f = (BatchFailure) r;
                        assertEquals("wrong-shape", f.batchId());
                        assertEquals(FailureReason.SHAPE, f.reason());
                        assertTrue(f.message().contains("matmul") && f.message().contains("[3, 7]"), f.message());
                    })
                    .assertNext(r -> {
                        BatchFailure f = (BatchFailure) r;
                        assertEquals(FailureReason.NON_FINITE, f.reason());
                        assertTrue(f.message().contains("has-nan") && f.message().contains("1 NaN"), f.message());
                    })
                    .assertNext(r -> {
                        BatchFailure f = (BatchFailure) r;
                        assertEquals(FailureReason.SHAPE, f.reason());
                        assertTrue(f.message().contains("empty batch"), f.message());
                    })
                    .assertNext(r -> assertTrue(r.isSuccess() && r.batchId().equals("ok2")))
                    .verifyComplete();
        }
        assertEquals(List.of(FailureReason.SHAPE, FailureReason.SHAPE, FailureReason.NON_FINITE), l.failures.stream().sorted().toList());
    }

    @Test
    void tooSmallBudgetIsABudgetFailure() {
        PipelineConfig c = config().chunkSize(0).memoryBudgetBytes(64).build();
        try (JacobianPipeline p = pipeline(c, new RecordingListener())) {
            StepVerifier.create(p.process(Flux.just(Fixtures.batch("big", 1, 4, DataType.DOUBLE))))
                    .assertNext(r -> assertEquals(FailureReason.BUDGET, ((BatchFailure) r).reason()))
                    .verifyComplete();
        }
    }

    @Test
    void failFastEndsTheStreamNamingTheBatch() {
        Flux<Batch> input = Flux.just(Fixtures.batch("ok", 1, 3, DataType.DOUBLE),
                Batch.of("bad", Fixtures.random(2, DataType.DOUBLE, 3, 2)), Fixtures.batch("never", 3, 2, DataType.DOUBLE));
        try (JacobianPipeline p = pipeline(config().errorPolicy(ErrorPolicy.FAIL_FAST).build(), new RecordingListener())) {
            StepVerifier.create(p.process(input))
                    .assertNext(r -> assertEquals("ok", r.batchId()))
                    .expectErrorSatisfies(e -> {
                        assertTrue(e instanceof PipelineException);
                        assertEquals("bad", ((PipelineException) e).batchId());
                        assertTrue(e.getMessage().contains("batch bad failed (shape)"), e.getMessage());
                    })
                    .verify(Duration.ofSeconds(30));
        }
    }

    @Test
    void cancellingStopsAdmittingBatchesAndReleasesInFlightWork() throws InterruptedException {
        RecordingListener l = new RecordingListener();
        AtomicInteger generated = new AtomicInteger();
        Flux<Batch> endless = Flux.generate(sink -> {
            int i = generated.getAndIncrement();
            sink.next(Fixtures.batch("e" + i, i, 8, DataType.DOUBLE));
        });
        try (JacobianPipeline p = pipeline(config().build(), l)) {
            StepVerifier.create(p.process(endless).take(3)).expectNextCount(3).verifyComplete();
            l.awaitIdle();
        }
        assertTrue(generated.get() <= 3 + 3 + 1, "source was asked for " + generated.get() + " batches");
        assertEquals(0, l.batchesInFlight.get(), "batches in flight after cancel");
        assertEquals(0, l.chunksInFlight.get(), "chunks in flight after cancel");
    }

    @Test
    void slowSubscriberSlowsTheSourceAndInFlightCountsStayWithinBounds() throws InterruptedException {
        RecordingListener l = new RecordingListener();
        AtomicInteger generated = new AtomicInteger();
        Flux<Batch> endless = Flux.generate(sink -> {
            int i = generated.getAndIncrement();
            sink.next(Fixtures.batch("s" + i, i, 6, DataType.DOUBLE));
        });
        PipelineConfig c = config().batchesInFlight(2).chunksInFlight(4).build();
        try (JacobianPipeline p = pipeline(c, l)) {
            StepVerifier.create(p.process(endless), 1)
                    .expectNextCount(1)
                    .thenAwait(Duration.ofMillis(400))
                    .then(() -> assertTrue(generated.get() <= 1 + 2 + 1, "a subscriber that asked for 1 result made the source emit "
                            + generated.get() + " batches"))
                    .thenRequest(4)
                    .expectNextCount(4)
                    .thenCancel()
                    .verify(Duration.ofSeconds(30));
            l.awaitIdle();
        }
        assertTrue(l.maxBatches.get() <= 2, "batches in flight peaked at " + l.maxBatches.get());
        assertTrue(l.maxChunks.get() <= 4, "chunks in flight peaked at " + l.maxChunks.get());
        assertTrue(l.maxChunks.get() >= 2, "chunks should run in parallel, peaked at " + l.maxChunks.get());
    }

    @Test
    void releasedResultsAreReusedByLaterBatchesOfTheSameShape() {
        try (JacobianPipeline p = pipeline(config().batchesInFlight(1).build(), new RecordingListener())) {
            JacobianResult first = (JacobianResult) p.processOne(Fixtures.batch("x", 1, 4, DataType.DOUBLE)).block();
            INDArray array = first.array();
            INDArray expected = array.dup();
            first.release();
            JacobianResult second = (JacobianResult) p.processOne(Fixtures.batch("x", 1, 4, DataType.DOUBLE)).block();
            assertSame(array, second.array(), "the released buffer is reused");
            assertEquals(expected, second.array());
        }
    }

    @Test
    void configurationAndDefinitionMustAgree() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> JacobianPipeline.create(config().build(), Fixtures.definition(JobKind.PER_SAMPLE_GRADIENTS, DataType.DOUBLE)));
        assertTrue(e.getMessage().contains("batch-jacobian") && e.getMessage().contains("per-sample-gradients"), e.getMessage());
    }
}
