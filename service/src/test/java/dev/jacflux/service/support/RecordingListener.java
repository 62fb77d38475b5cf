package dev.jacflux.service.support;

import dev.jacflux.pipeline.FailureReason;
import dev.jacflux.pipeline.PipelineListener;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A listener bean beside the meters: counts started batches and signals cancelled ones (a latch, no sleeps). */
public final class RecordingListener implements PipelineListener {
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicReference<CountDownLatch> firstCancel = new AtomicReference<>(new CountDownLatch(1));

    /** Starts counting afresh. */
    public void reset() {
        started.set(0);
        cancelled.set(0);
        firstCancel.set(new CountDownLatch(1));
    }

    /** Batches started since the reset. */
    public int started() {
        return started.get();
    }

    /** Batches cancelled since the reset. */
    public int cancelled() {
        return cancelled.get();
    }

    /** Counts down at the first cancelled batch. */
    public CountDownLatch firstCancel() {
        return firstCancel.get();
    }

    @Override
    public void batchStarted(String job, int samples) {
        started.incrementAndGet();
    }

    @Override
    public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
        if (reason == FailureReason.CANCELLED) {
            cancelled.incrementAndGet();
            firstCancel.get().countDown();
        }
    }
}
