package dev.jacflux.autodiff.transforms;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fresh result arrays for the calls without an output buffer ({@code compute(x)},
 * {@code PerSample.gradients(model, x, y, loss)}), backed by a pool of native memory: a result's
 * memory is handed out again once the result and every view of it are unreachable (garbage
 * collected), instead of being unmapped and a new region page-faulted in (measured: a fresh 241 MB
 * result cost more than computing it). The memory is not zeroed; every element is written by the
 * job.
 *
 * <p>How it knows a result is free: each result is an array over its own small wrapper of the
 * pooled buffer, and every view or reshape of it keeps that wrapper reachable (ND4J views hold their
 * parent buffer); the pool holds only a weak reference to it. Reuse therefore follows the JVM's
 * garbage collection: in a loop that keeps no old results, memory is reused after each collection;
 * results that are still referenced are never touched. Idle memory is capped at
 * {@link #maxIdleBytes()} (system property {@code jacflux.resultPool.maxIdleBytes}, default 1 GiB);
 * arrays under 1 MiB are allocated plainly. Callers that loop tightly can still pass their own
 * output buffer.
 *
 * <pre>{@code
 * INDArray out = ResultArrays.allocate(DataType.FLOAT, 256, 235146);   // what StagedJob.allocateResult() returns
 * }</pre>
 */
public final class ResultArrays {
    /** Arrays smaller than this are not pooled. */
    static final long MIN_POOLED_BYTES = 1L << 20;

    private static final List<Entry> ENTRIES = new ArrayList<>();

    /** A pooled buffer and the wrapper of the result it currently backs (weakly). */
    private static final class Entry {
        final INDArray base;
        final long bytes;
        WeakReference<DataBuffer> handedOut;
        boolean reserved;
        long lastUse;

        Entry(INDArray base) {
            this.base = base;
            this.bytes = base.length() * base.dataType().width();
        }

        boolean free() {
            return !reserved && (handedOut == null || handedOut.get() == null);
        }
    }

    private ResultArrays() {
    }

    /** Idle pooled memory kept for reuse at most, in bytes. */
    public static long maxIdleBytes() {
        return Long.getLong("jacflux.resultPool.maxIdleBytes", 1L << 30);
    }

    /** An uninitialised row-major array of {@code shape}, on pooled memory when it is large. */
    public static INDArray allocate(DataType dtype, long... shape) {
        long length = 1;
        for (long d : shape) {
            length *= d;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (length * dtype.width() < MIN_POOLED_BYTES) {
                return Nd4j.createUninitialized(dtype, shape);
            }
            Entry e = take(dtype, length);
            DataBuffer wrapper = Nd4j.createBuffer(e.base.data(), 0, length);
            synchronized (ENTRIES) {
                e.handedOut = new WeakReference<>(wrapper);
                e.reserved = false;
            }
            return Nd4j.create(wrapper, shape, stridesOf(shape), 0, 'c');
        }
    }

    /** A free entry of this dtype holding at least {@code length} elements (at most twice as many), or a new one. */
    private static Entry take(DataType dtype, long length) {
        synchronized (ENTRIES) {
            Entry best = null;
            for (Entry e : ENTRIES) {
                long n = e.base.length();
                if (e.base.dataType() == dtype && n >= length && n <= 2 * length && e.free() && (best == null || n < best.base.length())) {
                    best = e;
                }
            }
            if (best == null) {
                best = new Entry(Nd4j.createUninitialized(dtype, length));
                ENTRIES.add(best);
            }
            best.reserved = true;
            best.lastUse = System.nanoTime();
            trim(best);
            return best;
        }
    }

    /** Drops the least recently used free entries while idle memory exceeds the cap (their memory is freed by the GC). */
    private static void trim(Entry keep) {
        long idle = 0;
        for (Entry e : ENTRIES) {
            if (e != keep && e.free()) {
                idle += e.bytes;
            }
        }
        while (idle > maxIdleBytes()) {
            Entry oldest = null;
            for (Entry e : ENTRIES) {
                if (e != keep && e.free() && (oldest == null || e.lastUse < oldest.lastUse)) {
                    oldest = e;
                }
            }
            if (oldest == null) {
                return;
            }
            ENTRIES.remove(oldest);
            idle -= oldest.bytes;
        }
    }

    /**
     * Hands the memory of a result from {@link #allocate} back at once, for a caller that owns the
     * result and will not touch it (or any view of it) again, e.g. a per-sample matrix used inside
     * one DP-SGD step. Arrays that are not pooled results are ignored.
     */
    public static void release(INDArray result) {
        synchronized (ENTRIES) {
            for (Entry e : ENTRIES) {
                DataBuffer handed = e.handedOut == null ? null : e.handedOut.get();
                if (handed != null && handed == result.data()) {
                    e.handedOut = null;
                    e.lastUse = System.nanoTime();
                    return;
                }
            }
        }
    }

    /** Bytes held by the pool (results in use and idle memory). */
    public static long pooledBytes() {
        synchronized (ENTRIES) {
            long total = 0;
            for (Entry e : ENTRIES) {
                total += e.bytes;
            }
            return total;
        }
    }

    private static long[] stridesOf(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(1, shape[i]);
        }
        return s;
    }
}
