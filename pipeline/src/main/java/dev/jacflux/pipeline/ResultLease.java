package dev.jacflux.pipeline;

import dev.jacflux.autodiff.transforms.StagedJob;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.ndarray.INDArray;
import reactor.core.publisher.Mono;

/**
 * One batch's result array, drawn from the {@link ResultBuffers} pool and shared by its holders:
 * the batch while it runs, each chunk while it writes, and the {@link JacobianResult} once the
 * batch has succeeded. The array goes back to the pool when the last holder lets go, in one
 * atomic step and exactly once; after that nobody can hold it again. So a chunk still running in
 * native code after its batch failed or was cancelled keeps the array out of the pool until it
 * has finished writing, and no later batch ever receives memory that is still being written.
 *
 * <pre>{@code
 * ResultLease lease = ResultLease.acquire(pool, job);   // held by the batch
 * if (lease.retain()) {                                 // a chunk joins
 *     try {
 *         job.computeInto(chunk, lease.array());
 *     } finally {
 *         lease.release();
 *     }
 * }
 * lease.release();                                      // the batch lets go: the array returns to the pool
 * }</pre>
 */
final class ResultLease {
    private final INDArray array;
    private final ResultBuffers pool;
    private final AtomicInteger holders = new AtomicInteger(1);

    private ResultLease(INDArray array, ResultBuffers pool) {
        this.array = array;
        this.pool = pool;
    }

    /** A lease on an array of the job's result shape and dtype, held once (by the batch). */
    static ResultLease acquire(ResultBuffers pool, StagedJob job) {
        return new ResultLease(pool.acquire(job.resultShape(), job.dtype()), pool);
    }

    /** The leased array. */
    INDArray array() {
        return array;
    }

    /** Joins as a holder; {@code false} if the lease has already ended (the array is back in the pool). */
    boolean retain() {
        while (true) {
            int h = holders.get();
            if (h == 0) {
                return false;
            }
            if (holders.compareAndSet(h, h + 1)) {
                return true;
            }
        }
    }

    /** Lets go; the last holder returns the array to the pool. */
    void release() {
        int h = holders.decrementAndGet();
        if (h == 0) {
            pool.release(array);
        } else if (h < 0) {
            throw new IllegalStateException("result lease released more often than it was held");
        }
    }

    /** {@link #release()} as a publisher, for {@code Mono.usingWhen}. */
    Mono<Void> releasing() {
        return Mono.fromRunnable(this::release);
    }
}
