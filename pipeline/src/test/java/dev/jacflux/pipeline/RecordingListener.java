package dev.jacflux.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts events and remembers the largest number of batches and chunks in flight. */
final class RecordingListener implements PipelineListener {
    final AtomicInteger batchesInFlight = new AtomicInteger();
    final AtomicInteger chunksInFlight = new AtomicInteger();
    final AtomicInteger maxBatches = new AtomicInteger();
    final AtomicInteger maxChunks = new AtomicInteger();
    final AtomicInteger succeeded = new AtomicInteger();
    final List<FailureReason> failures = new CopyOnWriteArrayList<>();

    @Override
    public void batchStarted(String job, int samples) {
        maxBatches.accumulateAndGet(batchesInFlight.incrementAndGet(), Math::max);
    }

    @Override
    public void chunkStarted(String job, int rows) {
        maxChunks.accumulateAndGet(chunksInFlight.incrementAndGet(), Math::max);
    }

    @Override
    public void chunkFinished(String job, int rows, Duration elapsed) {
        chunksInFlight.decrementAndGet();
    }

    @Override
    public void chunkAbandoned(String job, int rows) {
        chunksInFlight.decrementAndGet();
    }

    @Override
    public void batchSucceeded(String job, int samples, long entries, long bytes, Duration total) {
        succeeded.incrementAndGet();
        batchesInFlight.decrementAndGet();
    }

    @Override
    public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
        failures.add(reason);
        batchesInFlight.decrementAndGet();
    }

    /** Waits (up to 5 s) until nothing is in flight. */
    void awaitIdle() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while ((batchesInFlight.get() != 0 || chunksInFlight.get() != 0) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }
}
