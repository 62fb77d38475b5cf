package dev.jacflux.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/** The thread rule: narrow scopes run native calls on one thread, wide ones use the configured threads per engine thread. */
class NativeThreadsTest {
    private static final NativeOps OPS = ops();
    private int ompBefore;

    private static NativeOps ops() {
        org.nd4j.linalg.factory.Nd4j.getExecutioner();   // loads ND4J's backend
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
    private int blasBefore;

    @BeforeEach
    void configureTwoThreads() throws InterruptedException {
        NativeThreads.awaitBlasRestored();   // earlier tests' engine calls may still hold OpenBLAS at 1
        ompBefore = OPS.ompGetMaxThreads();
        blasBefore = openblas_nolapack.blas_get_num_threads();
        OPS.setOmpNumThreads(2);
        openblas_nolapack.blas_set_num_threads(2);
    }

    @AfterEach
    void restore() throws InterruptedException {
        NativeThreads.awaitBlasRestored();   // a pending restore must not land after the counts are put back
        OPS.setOmpNumThreads(ompBefore);
        openblas_nolapack.blas_set_num_threads(blasBefore);
    }

    @Test
    void narrowIsOneThreadWideLargeWorkIsAllAndEverythingIsRestored() throws InterruptedException {
        assertFalse(NativeThreads.isNarrow());
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            assertTrue(NativeThreads.isNarrow());
            assertEquals(1, OPS.ompGetMaxThreads());
            assertEquals(1, openblas_nolapack.blas_get_num_threads());
            try (NativeThreads.Scope small = NativeThreads.wide(64, 64)) {
                assertEquals(1, OPS.ompGetMaxThreads(), "small GEMMs stay on one thread");
                assertEquals(1, openblas_nolapack.blas_get_num_threads());
            }
            try (NativeThreads.Scope nested = NativeThreads.narrow(); NativeThreads.Scope large = NativeThreads.wide(1L << 20, 1L << 10)) {
                assertEquals(2, OPS.ompGetMaxThreads(), "a large GEMM uses the configured threads");
                assertEquals(2, openblas_nolapack.blas_get_num_threads());
            }
            assertEquals(1, OPS.ompGetMaxThreads());
            assertEquals(1, openblas_nolapack.blas_get_num_threads());
            try (NativeThreads.Scope copy = NativeThreads.wideElementwise(NativeThreads.WIDE_ELEMENTS)) {
                assertEquals(2, OPS.ompGetMaxThreads());
            }
        }
        assertFalse(NativeThreads.isNarrow());
        assertEquals(2, OPS.ompGetMaxThreads(), "restored after the outermost scope");
        assertEquals(1, openblas_nolapack.blas_get_num_threads(), "OpenBLAS stays at 1 for a while after the engine leaves");
        NativeThreads.awaitBlasRestored();
        assertEquals(2, openblas_nolapack.blas_get_num_threads(), "restored once the engine has been idle");
        try (NativeThreads.Scope outside = NativeThreads.wide(1L << 20, 1L << 10)) {
            assertEquals(2, OPS.ompGetMaxThreads(), "outside the engine nothing changes");
        }
    }

    @Test
    void twoEngineThreadsShareTheCoresAndLargeWorkStaysOnOneThreadEach() throws InterruptedException {
        CountDownLatch bothInside = new CountDownLatch(2);
        CountDownLatch checked = new CountDownLatch(2);
        AtomicInteger wideThreads = new AtomicInteger(-1);
        Runnable engineThread = () -> {
            OPS.setOmpNumThreads(2);
            try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
                bothInside.countDown();
                await(bothInside);
                try (NativeThreads.Scope large = NativeThreads.wide(1L << 20, 1L << 10)) {
                    wideThreads.accumulateAndGet(OPS.ompGetMaxThreads(), Math::max);
                }
                checked.countDown();
                await(checked);
            }
        };
        Thread a = new Thread(engineThread);
        Thread b = new Thread(engineThread);
        a.start();
        b.start();
        a.join();
        b.join();
        assertEquals(1, wideThreads.get(), "with two engine threads, a large GEMM gets 2 / 2 = 1 thread");
        NativeThreads.awaitBlasRestored();
        assertEquals(2, openblas_nolapack.blas_get_num_threads(), "OpenBLAS restored once the last engine thread has left");
    }

    /** Calls in quick succession change OpenBLAS's count once, not twice per call (each change costs 0.3-0.7 ms). */
    @Test
    void callsInQuickSuccessionKeepOpenBlasAtOneThread() throws InterruptedException {
        AtomicInteger seenOutside = new AtomicInteger();
        for (int call = 0; call < 5; call++) {
            try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
                assertEquals(1, openblas_nolapack.blas_get_num_threads());
            }
            seenOutside.accumulateAndGet(openblas_nolapack.blas_get_num_threads(), Math::max);
        }
        assertEquals(1, seenOutside.get(), "between calls made one after the other OpenBLAS stays at the engine's count");
        NativeThreads.awaitBlasRestored();
        assertEquals(2, openblas_nolapack.blas_get_num_threads(), "the user's count once the engine is idle");
        // the user changes the count while the engine is idle: that count is the one given back next time
        openblas_nolapack.blas_set_num_threads(3);
        int users = openblas_nolapack.blas_get_num_threads();
        assertTrue(users > 2, "OpenBLAS took " + users + " threads");
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            assertEquals(1, openblas_nolapack.blas_get_num_threads());
        }
        NativeThreads.awaitBlasRestored();
        assertEquals(users, openblas_nolapack.blas_get_num_threads());
        // the user changes it while the engine still holds OpenBLAS at 1 after a call
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            assertEquals(1, openblas_nolapack.blas_get_num_threads());
        }
        openblas_nolapack.blas_set_num_threads(2);
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            assertEquals(1, openblas_nolapack.blas_get_num_threads(), "the engine's count again, whatever the user set meanwhile");
        }
        NativeThreads.awaitBlasRestored();
        assertEquals(2, openblas_nolapack.blas_get_num_threads(), "the count the user set meanwhile comes back");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
