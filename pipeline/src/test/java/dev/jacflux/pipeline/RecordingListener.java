package dev.jacflux.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Counts events, remembers the largest number of batches and chunks in flight, and lets a test
 * wait (on a condition signalled by every event, never by polling) until the counts reach a state.
 *
 * <pre>{@code
 * RecordingListener l = new RecordingListener();
 * ... run a pipeline reporting to l ...
 * l.awaitIdle();                                  // no batch or chunk in flight any more
 * l.await("2 chunks ended", () -> l.chunksEnded.get() >= 2);
 * }</pre>
 */
final class RecordingListener implements PipelineListener {
    /** How long a wait may take before the test fails: only reached when the code under test is broken. */
    static final Duration LIMIT = Duration.ofSeconds(60);

    final AtomicInteger batchesInFlight = new AtomicInteger();
    final AtomicInteger chunksInFlight = new AtomicInteger();
    final AtomicInteger maxBatches = new AtomicInteger();
    final AtomicInteger maxChunks = new AtomicInteger();
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicInteger chunksEnded = new AtomicInteger();
    final List<FailureReason> failures = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    @Override
    public void batchStarted(String job, int samples) {
        maxBatches.accumulateAndGet(batchesInFlight.incrementAndGet(), Math::max);
        signal();
    }

    @Override
    public void chunkStarted(String job, int rows) {
        maxChunks.accumulateAndGet(chunksInFlight.incrementAndGet(), Math::max);
        signal();
    }

    @Override
    public void chunkFinished(String job, int rows, Duration elapsed) {
        chunksInFlight.decrementAndGet();
        chunksEnded.incrementAndGet();
        signal();
    }

    @Override
    public void chunkAbandoned(String job, int rows) {
        chunksInFlight.decrementAndGet();
        chunksEnded.incrementAndGet();
        signal();
    }

    @Override
    public void batchSucceeded(String job, int samples, long entries, long bytes, Duration total) {
        succeeded.incrementAndGet();
        batchesInFlight.decrementAndGet();
        signal();
    }

    @Override
    public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
        failures.add(reason);
        batchesInFlight.decrementAndGet();
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code state} holds; fails the test if it does not within {@link #LIMIT}. */
    void await(String what, BooleanSupplier state) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        lock.lock();
        try {
            while (!state.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("listener: still waiting for " + what + " after " + LIMIT.toSeconds() + " s: " + this);
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no batch and no chunk is in flight. */
    void awaitIdle() {
        await("no batch and no chunk in flight", () -> batchesInFlight.get() == 0 && chunksInFlight.get() == 0);
    }

    @Override
    public String toString() {
        return "RecordingListener[batches in flight " + batchesInFlight + ", chunks in flight " + chunksInFlight + ", succeeded "
                + succeeded + ", failures " + failures + ", chunks ended " + chunksEnded + "]";
    }
}
