package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.ByteSize;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import reactor.core.publisher.Flux;

/**
 * Running out of memory is a failure of the batch that ran out, with reason {@code budget}: a Java
 * {@link OutOfMemoryError} (which Reactor treats as fatal to the JVM and would never deliver), a
 * native {@code std::bad_alloc} in a reverse sweep or when allocating the result. The stream goes
 * on, and the rail that failed computes the following batches correctly.
 */
class OutOfMemoryTest {
    /** Elements no machine can allocate: 2^45 doubles = 256 TiB, more than a 47-bit address space. */
    private static final long UNALLOCATABLE = 1L << 45;
    /** How long a stream may take before the test counts what it produced (the old pipeline hung). */
    private static final Duration STREAM_LIMIT = Duration.ofSeconds(20);

    private static PipelineConfig.Builder config() {
        return PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).parallelism(2).chunkSize(1).batchesInFlight(2).chunksInFlight(4)
                .precision(Precision.FLOAT64);
    }

    private static void assertDirect(Batch b, PipelineResult r) {
        assertTrue(r instanceof JacobianResult, () -> b.id() + ": expected a result, got " + r);
        double diff = GatedJobs.direct(b.input()).sub(((JacobianResult) r).array()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-12, b.id() + ": differs from the direct call by " + diff);
    }

    private static void assertBudgetFailure(String id, PipelineResult r) {
        assertTrue(r instanceof BatchFailure, () -> id + ": expected a failure, got " + r);
        BatchFailure f = (BatchFailure) r;
        assertEquals(id, f.batchId());
        assertEquals(FailureReason.BUDGET, f.reason(), f.message());
        assertTrue(f.message().contains(id) && f.message().contains("out of memory"), f.message());
    }

    @Test
    void javaOutOfMemoryInTheForwardPassOrAVjpIsABudgetFailureAndTheStreamGoesOn() {
        GatedJobs jobs = new GatedJobs();
        jobs.hooks.put("oom-vjp", new Gate.Hooks() {
            @Override
            public void vjp() {
                throw new OutOfMemoryError("Java heap space (injected in a vjp)");
            }
        });
        jobs.hooks.put("oom-forward", new Gate.Hooks() {
            @Override
            public void forward() {
                throw new OutOfMemoryError("Java heap space (injected in the forward pass)");
            }
        });
        List<Batch> batches = List.of(Fixtures.batch("g0", 1, 4, DataType.DOUBLE), Fixtures.batch("oom-vjp", 2, 4, DataType.DOUBLE),
                Fixtures.batch("g1", 3, 4, DataType.DOUBLE), Fixtures.batch("oom-forward", 4, 4, DataType.DOUBLE),
                Fixtures.batch("g2", 5, 4, DataType.DOUBLE), Fixtures.batch("g3", 6, 4, DataType.DOUBLE));
        RecordingListener l = new RecordingListener();
        try (JacobianPipeline p = JacobianPipeline.create(config().build(), jobs.definition(), l)) {
            List<PipelineResult> out = p.process(Flux.fromIterable(batches)).take(STREAM_LIMIT).collectList().block();
            assertEquals(batches.size(), out.size(), "outputs of " + batches.size() + " batches within " + STREAM_LIMIT.toSeconds() + " s");
            for (int i = 0; i < batches.size(); i++) {
                Batch b = batches.get(i);
                assertEquals(b.id(), out.get(i).batchId());
                if (b.id().startsWith("oom")) {
                    assertBudgetFailure(b.id(), out.get(i));
                } else {
                    assertDirect(b, out.get(i));
                }
            }
            // one batch at a time, as a service would call it
            PipelineResult single = p.processOne(Fixtures.batch("oom-vjp", 7, 4, DataType.DOUBLE)).block(STREAM_LIMIT);
            assertBudgetFailure("oom-vjp", single);
            l.awaitIdle();
            assertEquals(List.of(FailureReason.BUDGET, FailureReason.BUDGET, FailureReason.BUDGET), l.failures);
        }
    }

    @Test
    void aNativeAllocationFailureInASweepLeavesTheRailUsable() {
        GatedJobs jobs = new GatedJobs();
        jobs.hooks.put("bad-alloc", new Gate.Hooks() {
            @Override
            public void vjp() {
                Nd4j.createUninitialized(DataType.DOUBLE, UNALLOCATABLE);   // std::bad_alloc inside the sweep's scratch memory
            }
        });
        // one rail: every batch after the failure runs on the thread that failed
        try (JacobianPipeline p = JacobianPipeline.create(config().parallelism(1).build(), jobs.definition(), new RecordingListener())) {
            Batch warm = Fixtures.batch("warm", 1, 4, DataType.DOUBLE);
            assertDirect(warm, p.processOne(warm).block(STREAM_LIMIT));
            PipelineResult badAlloc = p.processOne(Fixtures.batch("bad-alloc", 2, 4, DataType.DOUBLE)).block(STREAM_LIMIT);
            List<Batch> after = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                after.add(Fixtures.batch("after" + i, 10 + i, 4, DataType.DOUBLE));
            }
            List<PipelineResult> out = p.process(Flux.fromIterable(after)).collectList().block(STREAM_LIMIT);
            long failed = out.stream().filter(r -> !r.isSuccess()).count();
            assertEquals(0, failed, failed + " of " + after.size() + " good batches after the allocation failure failed: "
                    + out.stream().filter(r -> !r.isSuccess()).map(r -> ((BatchFailure) r).message()).findFirst().orElse(""));
            for (int i = 0; i < after.size(); i++) {
                assertDirect(after.get(i), out.get(i));
            }
            assertBudgetFailure("bad-alloc", badAlloc);
        }
    }

    @Test
    void aResultThatCannotBeAllocatedIsABudgetFailure() {
        GatedJobs jobs = new GatedJobs();
        jobs.hooks.put("huge", new Gate.Hooks() {
            @Override
            public long[] resultShape(long[] planned) {
                return new long[] {UNALLOCATABLE};
            }
        });
        try (JacobianPipeline p = JacobianPipeline.create(config().build(), jobs.definition(), new RecordingListener())) {
            assertBudgetFailure("huge", p.processOne(Fixtures.batch("huge", 1, 4, DataType.DOUBLE)).block(STREAM_LIMIT));
            Batch good = Fixtures.batch("good", 2, 4, DataType.DOUBLE);
            assertDirect(good, p.processOne(good).block(STREAM_LIMIT));
        }
    }

    @Test
    void aBudgetFailureQuotesTheConfiguredBudgetAndItsShare() {
        long budget = 4096;
        PipelineConfig c = config().chunkSize(0).memoryBudgetBytes(budget).build();   // 4 chunks in flight: 1KiB each
        try (JacobianPipeline p = JacobianPipeline.create(c, new GatedJobs().definition(), new RecordingListener())) {
            PipelineResult r = p.processOne(Fixtures.batch("big", 1, 64, DataType.DOUBLE)).block(STREAM_LIMIT);
            assertTrue(r instanceof BatchFailure, () -> "expected a failure, got " + r);
            BatchFailure f = (BatchFailure) r;
            assertEquals(FailureReason.BUDGET, f.reason());
            String budgetText = ByteSize.ofBytes(budget).toString();
            assertTrue(f.message().contains("memory budget " + budgetText) && f.message().contains("4 chunks in flight")
                    && f.message().contains(ByteSize.ofBytes(budget / 4).toString()) && f.message().contains("big"), f.message());
        }
    }

}
