package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.config.ErrorPolicy;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.Ordering;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
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
    void cancellingStopsAdmittingBatchesAndReleasesInFlightWork() {
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
    void slowSubscriberSlowsTheSourceAndInFlightCountsStayWithinBounds() {
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
                    .then(() -> {
                        // let everything the pipeline admitted finish: whatever it does next is a reaction to these events
                        l.await("every generated batch finished", () -> l.succeeded.get() + l.failures.size() == generated.get());
                        assertTrue(generated.get() <= 1 + 2 + 1, "a subscriber that asked for 1 result made the source emit "
                                + generated.get() + " batches");
                    })
                    .thenRequest(4)
                    .expectNextCount(4)
                    .thenCancel()
                    .verify(Duration.ofSeconds(60));
            l.awaitIdle();
        }
        assertTrue(l.maxBatches.get() <= 2, "batches in flight peaked at " + l.maxBatches.get());
        assertTrue(l.maxChunks.get() <= 4, "chunks in flight peaked at " + l.maxChunks.get());
    }

    @Test
    void chunksOfOneBatchRunInParallelOnTheRails() {
        // each of the first two chunks waits inside its VJP until the other has arrived: only parallel rails get past
        GatedJobs jobs = new GatedJobs();
        CountDownLatch meet = new CountDownLatch(2);
        jobs.hooks.put("parallel", new Gate.Hooks() {
            @Override
            public void vjp() {
                meet.countDown();
                GatedJobs.hold(meet);
            }
        });
        RecordingListener l = new RecordingListener();
        PipelineConfig c = config().batchesInFlight(1).chunksInFlight(2).build();
        try (JacobianPipeline p = JacobianPipeline.create(c, jobs.definition(), l)) {
            Batch b = Fixtures.batch("parallel", 3, 5, DataType.DOUBLE);
            PipelineResult r = p.processOne(b).block(RecordingListener.LIMIT);
            assertTrue(r instanceof JacobianResult, () -> "expected a result, got " + r);
            assertEquals(0, GatedJobs.direct(b.input()).sub(((JacobianResult) r).array()).amaxNumber().doubleValue(), 1e-12);
        }
        assertEquals(2, l.maxChunks.get(), "chunks in flight peaked at " + l.maxChunks.get());
    }

    @Test
    void releasedResultsAreReusedByLaterBatchesOfTheSameShape() {
        try (JacobianPipeline p = pipeline(config().batchesInFlight(1).build(), new RecordingListener())) {
            Batch a = Fixtures.batch("a", 1, 4, DataType.DOUBLE);
            Batch b = Fixtures.batch("b", 2, 4, DataType.DOUBLE);   // same shape, other data
            JacobianResult first = (JacobianResult) p.processOne(a).block();
            INDArray array = first.array();
            INDArray firstValues = array.dup();
            first.release();
            assertThrows(IllegalStateException.class, first::array, "a released result must not be used");
            JacobianResult second = (JacobianResult) p.processOne(b).block();
            assertSame(array, second.array(), "the released buffer is reused");
            INDArray direct = BatchJacobian.of(Fixtures.mlp(DataType.DOUBLE)).compute(b.input());
            assertEquals(0, direct.sub(second.array()).amaxNumber().doubleValue(), 1e-12, "the reused buffer holds b's Jacobian");
            assertTrue(firstValues.sub(second.array()).amaxNumber().doubleValue() > 1e-3, "a's and b's Jacobians differ");
            // a second release of the same result does not put the array in the pool twice
            second.release();
            second.release();
            assertEquals(1, p.buffers().pooled());
        }
    }

    @Test
    void aListenerThatThrowsEndsNeitherTheBatchNorTheStream() {
        PipelineListener throwing = new PipelineListener() {
            @Override
            public void batchStarted(String job, int samples) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void chunkFinished(String job, int rows, Duration elapsed) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void batchSucceeded(String job, int samples, long entries, long bytes, Duration total) {
                throw new IllegalStateException("listener bug");
            }
        };
        List<Batch> input = List.of(Fixtures.batch("l0", 1, 3, DataType.DOUBLE), Fixtures.batch("l1", 2, 4, DataType.DOUBLE));
        try (JacobianPipeline p = JacobianPipeline.create(config().build(), Fixtures.definition(JobKind.BATCH_JACOBIAN, DataType.DOUBLE),
                throwing)) {
            List<PipelineResult> out = p.process(Flux.fromIterable(input)).collectList().block(Duration.ofSeconds(60));
            assertEquals(2, out.size());
            for (int i = 0; i < 2; i++) {
                assertTrue(out.get(i) instanceof JacobianResult, "expected a result, got " + out.get(i));
                INDArray direct = BatchJacobian.of(Fixtures.mlp(DataType.DOUBLE)).compute(input.get(i).input());
                assertEquals(0, direct.sub(((JacobianResult) out.get(i)).array()).amaxNumber().doubleValue(), 1e-12);
            }
        }
    }

    @Test
    void configurationAndDefinitionMustAgree() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> JacobianPipeline.create(config().build(), Fixtures.definition(JobKind.PER_SAMPLE_GRADIENTS, DataType.DOUBLE)));
        assertTrue(e.getMessage().contains("batch-jacobian") && e.getMessage().contains("per-sample-gradients"), e.getMessage());
    }
}
