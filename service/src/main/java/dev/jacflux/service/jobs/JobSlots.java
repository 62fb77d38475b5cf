package dev.jacflux.service.jobs;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * At most {@code jacflux.limits.max-concurrent-jobs} Jacobian and gradient requests run at once;
 * a request that finds every slot taken is refused at once (429 with {@code Retry-After}), it does
 * not queue. A slot is held from before the body is read until the answer's last byte is written
 * (or the request fails or is cancelled).
 *
 * <pre>{@code
 * try (JobSlots.Slot slot = slots.tryAcquire().orElseThrow(() -> tooManyJobs())) {
 *     ... // compute and stream
 * }
 * }</pre>
 */
public final class JobSlots {
    private final int capacity;
    private final Semaphore free;

    /** {@code capacity} slots. */
    public JobSlots(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("job slots: capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.free = new Semaphore(capacity);
    }

    /** A slot if one is free now. */
    public Optional<Slot> tryAcquire() {
        return free.tryAcquire() ? Optional.of(new Slot()) : Optional.empty();
    }

    /** Slots in total. */
    public int capacity() {
        return capacity;
    }

    /** Slots taken now. */
    public int inUse() {
        return capacity - free.availablePermits();
    }

    /**
     * Waits until no slot is taken (every running job has ended), at most {@code timeout}.
     *
     * @return whether the slots are all free
     */
    public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        if (!free.tryAcquire(capacity, timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            return false;
        }
        free.release(capacity);
        return true;
    }

    /** A taken slot; closing it (once or more) frees it. */
    public final class Slot implements AutoCloseable {
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Slot() {
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                free.release();
            }
        }
    }
}
