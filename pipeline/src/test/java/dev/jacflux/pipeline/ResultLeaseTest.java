package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.StagedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The result array returns to the pool once, after its last holder, and cannot be held again. */
class ResultLeaseTest {
    private static final StagedJob JOB = BatchJacobian.of(Fixtures.mlp(DataType.DOUBLE)).prepare(Fixtures.random(1, DataType.DOUBLE, 3, Fixtures.IN));

    @Test
    void theArrayReturnsAfterTheLastHolderAndNeverAgain() {
        ResultBuffers pool = new ResultBuffers(4);
        ResultLease lease = ResultLease.acquire(pool, JOB);
        assertTrue(lease.retain());   // a chunk
        assertTrue(lease.retain());   // the result
        lease.release();              // the batch
        lease.release();              // the chunk
        assertEquals(0, pool.pooled(), "still held by the result");
        lease.release();              // the result
        assertEquals(1, pool.pooled());
        assertFalse(lease.retain(), "an ended lease cannot be held again");
        assertThrows(IllegalStateException.class, lease::release);
        assertEquals(1, pool.pooled(), "released once");
        INDArray again = pool.acquire(JOB.resultShape(), JOB.dtype());
        assertSame(lease.array(), again);
        assertNotSame(again, pool.acquire(JOB.resultShape(), JOB.dtype()), "the pool held the array once");
    }

    @Test
    void concurrentHoldersReturnTheArrayExactlyOnce() throws Exception {
        int threads = 4;
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 200; round++) {
                ResultBuffers pool = new ResultBuffers(8);
                ResultLease lease = ResultLease.acquire(pool, JOB);
                CyclicBarrier start = new CyclicBarrier(threads + 1);
                AtomicInteger held = new AtomicInteger();
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    futures.add(exec.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        for (int k = 0; k < 50; k++) {
                            if (lease.retain()) {
                                held.incrementAndGet();
                                lease.release();
                            }
                        }
                        return null;
                    }));
                }
                start.await(10, TimeUnit.SECONDS);
                lease.release();   // the batch lets go while the chunks come and go
                for (Future<?> f : futures) {
                    f.get(10, TimeUnit.SECONDS);
                }
                assertEquals(1, pool.pooled(), "round " + round + ": pooled " + pool.pooled() + " times after " + held + " holds");
                assertFalse(lease.retain());
            }
        } finally {
            exec.shutdownNow();
        }
    }
}
