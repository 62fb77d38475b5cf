package dev.jacflux.autodiff.transforms;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch's Jacobian-type computation, split into the stages the reactive pipeline runs: the
 * forward pass has already happened when a job exists; {@link #chunks()} plans the rows;
 * {@link #compute} runs one batched reverse (or forward) pass per chunk and is safe to call from
 * several threads at once; {@link #assemble} writes a chunk's rows into their slot of the result
 * (chunks write disjoint regions, so different chunks may be assembled concurrently).
 *
 * <p>The direct library call and the pipeline run exactly these steps:
 * <pre>{@code
 * StagedJob job = BatchJacobian.of(f).prepare(x);     // forward pass, graph recorded
 * INDArray result = job.allocateResult();             // or a reused buffer of job.resultShape()
 * for (RowChunk c : job.chunks()) {
 *     job.assemble(job.compute(c), result);
 * }
 * }</pre>
 */
public interface StagedJob {

    /** What the job computes, e.g. {@code "batch-jacobian"}; used in messages and metrics. */
    String kind();

    /** Number of samples in the batch (1 for functions without a batch axis). */
    long samples();

    /** The chunks of rows to compute. */
    List<RowChunk> chunks();

    /** Computes the rows of one chunk. Thread-safe. */
    ChunkRows compute(RowChunk chunk);

    /** Writes a chunk's rows into {@code result} (of {@link #resultShape()}). */
    void assemble(ChunkRows rows, INDArray result);

    /** The shape of the final result. */
    long[] resultShape();

    /** The dtype of the final result. */
    DataType dtype();

    /** Called once after all chunks are assembled (for jobs that finish the result, e.g. square roots of norms). */
    default void finish(INDArray result) {
    }

    /**
     * A fresh, uninitialised result array (every element is written by the chunks), on pooled
     * memory that earlier, unreachable results released ({@link ResultArrays}).
     */
    default INDArray allocateResult() {
        return ResultArrays.allocate(dtype(), resultShape());
    }

    /**
     * Whether {@link #computeInto} writes a chunk straight into the result without an intermediate
     * block (then {@link #compute} and {@link #assemble} are only the slower fallback).
     */
    default boolean writesDirectly() {
        return false;
    }

    /**
     * Computes one chunk and writes it into its slot of {@code result}. Thread-safe for different
     * chunks. The default is {@code assemble(compute(chunk), result)}.
     */
    default void computeInto(RowChunk chunk, INDArray result) {
        assemble(compute(chunk), result);
    }

    /**
     * About how many elements the job writes (its result, or for jobs with a small result the
     * per-sample matrix it avoids building): the size {@link ParallelChunks} decides by.
     */
    default long work() {
        long n = 1;
        for (long d : resultShape()) {
            n *= d;
        }
        return n;
    }

    /**
     * Runs every chunk into {@code result} and returns it: on the calling thread, or for a large
     * job in parallel parts on all cores ({@link ParallelChunks}).
     */
    default INDArray runInto(INDArray result) {
        return ParallelChunks.runInto(this, result);
    }
}
