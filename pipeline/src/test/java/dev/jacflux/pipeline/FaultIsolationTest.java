package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * A failed or cancelled batch never shares memory with a later result: its sibling chunks may
 * still be running in native code when its output is emitted, so its result array must not reach
 * another batch before the last of them has finished writing.
 */
class FaultIsolationTest {
    private static final int SAMPLES = 4;
    private static final long[] SHAPE = {SAMPLES, Fixtures.OUT, Fixtures.IN};

    /** Three one-row chunks per batch (the fixture's 3 outputs), two of them at once on two rails. */
    private static PipelineConfig.Builder config() {
        return PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).parallelism(2).chunkSize(1).batchesInFlight(1).chunksInFlight(2)
                .precision(Precision.FLOAT64);
    }

    private static long nanCount(INDArray a) {
        return Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.isNan())).getLong(0);
    }

    private static void assertDirect(Batch b, PipelineResult r) {
        assertTrue(r instanceof JacobianResult, () -> b.id() + ": expected a result, got " + r);
        INDArray got = ((JacobianResult) r).array();
        double diff = GatedJobs.direct(b.input()).sub(got).amaxNumber().doubleValue();
        assertTrue(diff < 1e-12, b.id() + ": differs from the direct call by " + diff);
    }

    @Test
    void aFailedBatchsArrayReachesNoOtherBatchWhileItsSiblingChunkStillWrites() {
        GatedJobs jobs = new GatedJobs();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        jobs.hooks.put("bad", new Gate.Hooks() {
            @Override
            public void vjp() {
                if (calls.getAndIncrement() == 0) {
                    GatedJobs.hold(release);   // this chunk is still running when its sibling fails
                } else {
                    throw new IllegalStateException("injected failure of one chunk");
                }
            }
        });
        RecordingListener l = new RecordingListener();
        try (JacobianPipeline p = JacobianPipeline.create(config().build(), jobs.definition(), l)) {
            PipelineResult failed = p.processOne(Fixtures.batch("bad", 7, SAMPLES, DataType.DOUBLE)).block(RecordingListener.LIMIT);
            assertTrue(failed instanceof BatchFailure, () -> "expected a failure, got " + failed);
            assertEquals(1, release.getCount(), "the first chunk is still held");
            // a later batch of the same shape draws its result array from the pool now
            INDArray later = p.buffers().acquire(SHAPE, DataType.DOUBLE);
            later.assign(Double.NaN);
            release.countDown();
            l.awaitIdle();   // the held chunk has written its rows and ended
            assertEquals(later.length(), nanCount(later),
                    "the failed batch's running chunk wrote its rows into an array the pool had handed to a later batch");
            Batch good = Fixtures.batch("good", 8, SAMPLES, DataType.DOUBLE);
            assertDirect(good, p.processOne(good).block(RecordingListener.LIMIT));
        }
    }

    @Test
    void aCancelledBatchsArrayReachesNoOtherBatchWhileItsChunksStillWrite() {
        GatedJobs jobs = new GatedJobs();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        jobs.hooks.put("cancelled", new Gate.Hooks() {
            @Override
            public void vjp() {
                entered.countDown();
                if (GatedJobs.hold(release)) {
                    interrupted.incrementAndGet();
                }
            }
        });
        RecordingListener l = new RecordingListener();
        try (JacobianPipeline p = JacobianPipeline.create(config().build(), jobs.definition(), l)) {
            Disposable d = p.processOne(Fixtures.batch("cancelled", 9, SAMPLES, DataType.DOUBLE)).subscribe();
            GatedJobs.hold(entered);
            d.dispose();   // e.g. a request timeout: the chunks keep running in native code
            INDArray later = p.buffers().acquire(SHAPE, DataType.DOUBLE);
            later.assign(Double.NaN);
            release.countDown();
            l.awaitIdle();
            assertEquals(later.length(), nanCount(later),
                    "the cancelled batch's running chunks wrote their rows into an array the pool had handed to a later batch");
            assertEquals(List.of(FailureReason.CANCELLED), l.failures);
            assertEquals(0, interrupted.get(), "cancelling interrupted the rail running a chunk (an interrupt can hit the rail's next task)");
            Batch good = Fixtures.batch("good", 10, SAMPLES, DataType.DOUBLE);
            assertDirect(good, p.processOne(good).block(RecordingListener.LIMIT));
        }
    }

    /** Real work of a few milliseconds: keeps a chunk running while other batches flow (no sleep). */
    private static final class Busy {
        private final INDArray m = Fixtures.random(99, DataType.DOUBLE, 192, 192).muli(0.05);

        void work() {
            INDArray a = m;
            for (int i = 0; i < 8; i++) {
                a = a.mmul(m);
            }
            if (!Double.isFinite(a.sumNumber().doubleValue())) {
                throw new AssertionError("busy work overflowed");
            }
        }
    }

    @Test
    void failedAndCancelledBatchesMidChunkNeverCorruptLaterResults() {
        GatedJobs jobs = new GatedJobs();
        Busy busy = new Busy();
        RecordingListener l = new RecordingListener();
        int iterations = 60;
        List<String> corrupted = new ArrayList<>();
        int good = 0;
        try (JacobianPipeline p = JacobianPipeline.create(config().parallelism(4).batchesInFlight(2).chunksInFlight(6).build(), jobs.definition(), l)) {
            for (int i = 0; i < iterations; i++) {
                // a batch whose first chunk fails at once while its siblings still work
                AtomicInteger calls = new AtomicInteger();
                jobs.hooks.put("fail" + i, new Gate.Hooks() {
                    @Override
                    public void vjp() {
                        if (calls.getAndIncrement() == 0) {
                            throw new IllegalStateException("injected failure");
                        }
                        busy.work();
                    }
                });
                assertTrue(p.processOne(Fixtures.batch("fail" + i, 1000 + i, SAMPLES, DataType.DOUBLE)).block(RecordingListener.LIMIT)
                        instanceof BatchFailure);
                good += checkGood(p, "after-fail" + i, 2000 + i, corrupted);
                // a batch cancelled while its chunks work
                CountDownLatch entered = new CountDownLatch(1);
                jobs.hooks.put("cancel" + i, new Gate.Hooks() {
                    @Override
                    public void vjp() {
                        entered.countDown();
                        busy.work();
                    }
                });
                Disposable d = p.processOne(Fixtures.batch("cancel" + i, 3000 + i, SAMPLES, DataType.DOUBLE)).subscribe();
                GatedJobs.hold(entered);
                d.dispose();
                good += checkGood(p, "after-cancel" + i, 4000 + i, corrupted);
                // a batch that fails while its subscriber cancels (both try to end it)
                CountDownLatch thrown = new CountDownLatch(1);
                jobs.hooks.put("race" + i, new Gate.Hooks() {
                    @Override
                    public void vjp() {
                        thrown.countDown();
                        throw new IllegalStateException("injected failure racing a cancel");
                    }
                });
                Disposable r = p.processOne(Fixtures.batch("race" + i, 5000 + i, SAMPLES, DataType.DOUBLE)).subscribe();
                GatedJobs.hold(thrown);
                r.dispose();
                // a stream mixing failing and good batches of the same shape
                List<Batch> mixed = List.of(Fixtures.batch("fail-s" + i, 6000 + i, SAMPLES, DataType.DOUBLE),
                        Fixtures.batch("s-a" + i, 7000 + i, SAMPLES, DataType.DOUBLE), Fixtures.batch("s-b" + i, 8000 + i, SAMPLES, DataType.DOUBLE));
                jobs.hooks.put("fail-s" + i, jobs.hooks.get("fail" + i));
                calls.set(0);
                List<PipelineResult> out = p.process(Flux.fromIterable(mixed)).collectList().block(RecordingListener.LIMIT);
                assertEquals(3, out.size());
                for (int k = 1; k < 3; k++) {
                    good += check(mixed.get(k), out.get(k), corrupted);
                }
            }
            l.awaitIdle();
            // every array in the pool is there once
            int pooled = p.buffers().pooled();
            Set<INDArray> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int k = 0; k < pooled; k++) {
                distinct.add(p.buffers().acquire(SHAPE, DataType.DOUBLE));
            }
            assertEquals(pooled, distinct.size(), "an array was pooled twice");
        }
        assertTrue(corrupted.isEmpty(), corrupted.size() + " of " + good + " good results differ from the direct call: " + corrupted);
    }

    private static int checkGood(JacobianPipeline p, String id, long seed, List<String> corrupted) {
        Batch b = Fixtures.batch(id, seed, SAMPLES, DataType.DOUBLE);
        return check(b, p.processOne(b).block(RecordingListener.LIMIT), corrupted);
    }

    private static int check(Batch b, PipelineResult r, List<String> corrupted) {
        assertTrue(r instanceof JacobianResult, () -> b.id() + ": expected a result, got " + r);
        JacobianResult ok = (JacobianResult) r;
        double diff = GatedJobs.direct(b.input()).sub(ok.array()).amaxNumber().doubleValue();
        if (!(diff < 1e-12)) {
            corrupted.add(b.id() + " (max diff " + String.format(java.util.Locale.ROOT, "%.2e", diff) + ")");
        }
        return 1;   // not released: the pool then only holds arrays of failed and cancelled batches
    }
}
