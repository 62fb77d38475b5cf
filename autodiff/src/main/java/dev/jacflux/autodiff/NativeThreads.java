package dev.jacflux.autodiff;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How many native (OpenMP and BLAS) threads an ND4J call made by the engine may use, chosen per
 * call from the size of the work and the number of engine threads running at once.
 *
 * <h2>The rule</h2>
 * Inside a {@link #narrow()} scope (every transform, sweep and forward pass of the engine opens
 * one) native calls made by the calling thread run on that thread alone. Only calls that open a
 * {@link #wide(long, long)} scope for large work, namely GEMMs of at least {@link #WIDE_GEMM} multiply-adds
 * and elementwise or copying work over at least {@link #WIDE_ELEMENTS} elements, use more threads:
 * the configured count (the thread's OpenMP thread count when the scope opened, i.e.
 * {@code OMP_NUM_THREADS} by default) divided by the number of engine threads inside narrow scopes
 * at that moment (the pipeline's rails), so that the process never asks for more threads than the
 * cores it was given.
 *
 * <p>Why: libnd4j splits any elementwise op over more than about 2,000 elements into an OpenMP
 * parallel region, and every region ends in a barrier. On a 2-core machine where anything else is
 * runnable, a barrier waits for a descheduled thread for a scheduler time slice (measured: 40 small
 * ops took 1-6 ms on one thread and 26-290 ms on two under load), while the work itself gains at
 * most 2x. Small work therefore runs on one thread; a GEMM of a GFLOP still gets both cores.
 *
 * <p>The switches: OpenMP's per-thread thread count ({@code omp_set_num_threads} acts on the
 * calling thread only), which libnd4j's loops read on every call, and OpenBLAS's thread count,
 * which is one process-wide number (the OpenBLAS bundled with ND4J does not follow the per-thread
 * OpenMP count): it is 1 while any engine thread is inside a narrow scope, raised only for a wide
 * GEMM while that is the only engine thread, and restored once no engine thread has been inside a
 * narrow scope for {@link #BLAS_RESTORE_DELAY_MILLIS} ms. Changing OpenBLAS's count is not cheap
 * (measured here: 0.3-0.7 ms for a change to 1 and back), and a direct call opens and closes
 * several outermost scopes, so restoring at once cost small jobs up to half their time; the delay
 * makes a run of calls pay for one change. The OpenMP count is per thread and is restored when the
 * scope closes, so ND4J calls a user makes outside the engine are not affected, except BLAS calls
 * made while the engine works or within the delay after it, which run single-threaded too.
 *
 * <pre>{@code
 * try (NativeThreads.Scope narrow = NativeThreads.narrow()) {          // a sweep: small ops on this thread
 *     ...
 *     try (NativeThreads.Scope wide = NativeThreads.wide(m * n, k)) {   // a large GEMM: all cores
 *         Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
 *     }
 * }
 * }</pre>
 */
public final class NativeThreads {
    /** GEMMs of at least this many multiply-adds run on several threads (about 2 ms on one core here). */
    public static final long WIDE_GEMM = 1L << 26;
    /** Elementwise or copying work over at least this many elements runs on several threads (16 MB of float32). */
    public static final long WIDE_ELEMENTS = 1L << 22;

    /** How long OpenBLAS stays at one thread after the last engine thread left its narrow scope. */
    public static final long BLAS_RESTORE_DELAY_MILLIS = 200;

    private static final NativeOps OPS = nativeOps();
    private static final AtomicInteger ACTIVE = new AtomicInteger();
    private static final Object BLAS_LOCK = new Object();
    /** OpenBLAS's thread count before the first engine thread entered a narrow scope (restored when the last leaves). */
    private static int blasConfigured = -1;
    /** OpenBLAS's thread count as last set here (guarded by {@code BLAS_LOCK}); -1 when not known (the user's). */
    private static int blasCurrent = -1;
    /** Counts the engine's idle periods (guarded by {@code BLAS_LOCK}): a restore runs only if its period is still the current one. */
    private static long idlePeriod;
    /** The restore scheduled for the current idle period, if any (guarded by {@code BLAS_LOCK}). */
    private static ScheduledFuture<?> pendingRestore;
    private static final ScheduledThreadPoolExecutor RESTORER = restorer();
    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);
    private static final Scope NOTHING = () -> {
    };

    /** Per thread: narrow-scope depth, the thread count before the outermost narrow scope, the current count. */
    private static final class State {
        int depth;
        int configured;
        int current;

        void closeNested() {
            depth--;
        }

        void closeOuter() {
            depth--;
            synchronized (BLAS_LOCK) {
                if (ACTIVE.decrementAndGet() == 0 && blasConfigured > 0) {
                    long period = ++idlePeriod;
                    pendingRestore = RESTORER.schedule(() -> restoreIfStillIdle(period), BLAS_RESTORE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
            OPS.setOmpNumThreads(configured);
            current = configured;
        }
    }

    private NativeThreads() {
    }

    /** ND4J's native ops, after making sure ND4J's backend is loaded (the holder alone does not load it). */
    private static NativeOps nativeOps() {
        org.nd4j.linalg.factory.Nd4j.getExecutioner();
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }

    /**
     * Native calls of the calling thread run on this thread alone until the scope is closed (nested
     * scopes are free); the thread counts as one engine thread for {@link #wide}.
     */
    public static Scope narrow() {
        State s = STATE.get();
        if (s.depth++ > 0) {
            return s::closeNested;
        }
        s.configured = Math.max(1, OPS.ompGetMaxThreads());
        synchronized (BLAS_LOCK) {
            if (ACTIVE.getAndIncrement() == 0) {
                idlePeriod++;   // a restore scheduled when the engine went idle no longer applies
                if (pendingRestore != null) {
                    pendingRestore.cancel(false);
                    pendingRestore = null;
                }
                // OpenBLAS keeps one process-wide thread count (it does not follow the per-thread OpenMP
                // count); a count other than the one set here is the user's (also one set while the
                // engine was idle but had not yet given its count back): that is the one to restore
                int actual = Math.max(1, openblas_nolapack.blas_get_num_threads());
                if (blasCurrent < 0 || actual != blasCurrent) {
                    blasConfigured = actual;
                }
                blasCurrent = actual;
            }
            setBlasThreads(1);
        }
        if (s.configured > 1) {
            OPS.setOmpNumThreads(1);
        }
        s.current = 1;
        return s::closeOuter;
    }

    /**
     * For a GEMM of {@code rows x cols} outputs and inner size {@code inner}: all threads this engine
     * thread may use (see the class comment) when the product has at least {@link #WIDE_GEMM}
     * multiply-adds, else nothing changes.
     */
    public static Scope wide(long outputs, long inner) {
        return outputs * inner >= WIDE_GEMM ? widen() : NOTHING;
    }

    /** For elementwise or copying work over {@code elements} elements (see {@link #WIDE_ELEMENTS}). */
    public static Scope wideElementwise(long elements) {
        return elements >= WIDE_ELEMENTS ? widen() : NOTHING;
    }

    /** The number of native threads a wide call made now would get (1 outside narrow scopes means: unchanged). */
    public static int wideThreads() {
        State s = STATE.get();
        if (s.depth == 0) {
            return Math.max(1, OPS.ompGetMaxThreads());
        }
        return Math.max(1, s.configured / Math.max(1, ACTIVE.get()));
    }

    /** Whether the calling thread is inside a narrow scope. */
    public static boolean isNarrow() {
        return STATE.get().depth > 0;
    }

    private static Scope widen() {
        State s = STATE.get();
        if (s.depth == 0 || s.current != 1) {
            return NOTHING;
        }
        int n = Math.max(1, s.configured / Math.max(1, ACTIVE.get()));
        if (n == 1) {
            return NOTHING;
        }
        synchronized (BLAS_LOCK) {
            if (ACTIVE.get() != 1) {
                return NOTHING;   // another engine thread started meanwhile: stay on one thread
            }
            setBlasThreads(n);
        }
        OPS.setOmpNumThreads(n);
        s.current = n;
        return () -> {
            synchronized (BLAS_LOCK) {
                setBlasThreads(1);
            }
            OPS.setOmpNumThreads(1);
            s.current = 1;
        };
    }

    /** Gives OpenBLAS back its count from before the engine ran, if no engine thread has entered since {@code period} began. */
    private static void restoreIfStillIdle(long period) {
        synchronized (BLAS_LOCK) {
            if (ACTIVE.get() == 0 && idlePeriod == period && blasConfigured > 0) {
                setBlasThreads(blasConfigured);
                blasCurrent = -1;   // outside the engine the count is the user's
                pendingRestore = null;
            }
        }
    }

    /**
     * Waits until OpenBLAS's count has been given back after the engine went idle (returns at once
     * if no restore is pending), for tests and for callers about to run their own multi-threaded BLAS.
     */
    public static void awaitBlasRestored() throws InterruptedException {
        ScheduledFuture<?> f;
        synchronized (BLAS_LOCK) {
            f = pendingRestore;
        }
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (java.util.concurrent.CancellationException e) {
            // an engine thread entered again: the count stays the engine's until it is idle again
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("native threads: restoring OpenBLAS's thread count failed: " + e.getCause(), e.getCause());
        }
    }

    private static ScheduledThreadPoolExecutor restorer() {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jacflux-blas-restore");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        return ex;
    }

    /** Sets OpenBLAS's process-wide thread count unless it already is {@code n} (caller holds {@code BLAS_LOCK}). */
    private static void setBlasThreads(int n) {
        if (blasCurrent != n) {
            openblas_nolapack.blas_set_num_threads(n);
            blasCurrent = n;
        }
    }

    /** Restores the previous thread count when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

}
