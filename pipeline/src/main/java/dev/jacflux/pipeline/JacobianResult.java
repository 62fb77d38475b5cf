package dev.jacflux.pipeline;

import dev.jacflux.config.JobKind;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch's result: the array in its final layout (for example {@code [B, *out, *in]} for a batch
 * Jacobian, {@code [N, M]} for per-sample gradients), with the batch id, sample count and timings.
 *
 * <p>The array may come from the pipeline's buffer pool. A consumer that is done with it can call
 * {@link #release()} so that a later batch of the same shape reuses the memory instead of
 * allocating (and first-touching) a new large array; after release the array must not be used.
 * Not releasing is always safe: the array is then simply garbage collected.
 *
 * <pre>{@code
 * pipeline.process(batches).subscribe(r -> {
 *     if (r instanceof JacobianResult ok) {
 *         consume(ok.array());
 *         ok.release();
 *     }
 * });
 * }</pre>
 */
public final class JacobianResult implements PipelineResult {
    private final String batchId;
    private final JobKind job;
    private final ResultLease lease;
    private final INDArray array;
    private final int samples;
    private final StageTimings timings;
    private final Map<String, String> attributes;
    private final AtomicBoolean released = new AtomicBoolean();

    /** A result holding (one hold of) {@code lease}, released by {@link #release()}. */
    JacobianResult(String batchId, JobKind job, ResultLease lease, int samples, StageTimings timings, Map<String, String> attributes) {
        this.batchId = batchId;
        this.job = job;
        this.lease = lease;
        this.array = lease.array();
        this.samples = samples;
        this.timings = timings;
        this.attributes = attributes;
    }

    @Override
    public String batchId() {
        return batchId;
    }

    /** The job that produced this result. */
    public JobKind job() {
        return job;
    }

    /** The result array in its final layout. */
    public INDArray array() {
        if (released.get()) {
            throw new IllegalStateException("result of batch " + batchId + " was released");
        }
        return array;
    }

    /** Samples in the batch. */
    public int samples() {
        return samples;
    }

    /** Stage timings. */
    public StageTimings timings() {
        return timings;
    }

    /** The batch's attributes. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** Returns the array to the pipeline's buffer pool; idempotent. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            lease.release();
        }
    }

    /** Entries of the result array. */
    long entries() {
        return array.length();
    }

    /** Bytes per entry. */
    int dtypeWidth() {
        return array.dataType().width();
    }

    @Override
    public String toString() {
        return "JacobianResult[" + batchId + ", " + job.configName() + ", " + java.util.Arrays.toString(array.shape()) + "]";
    }
}
