package dev.jacflux.autodiff.transforms;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the three per-sample jobs share: the validated batch ({@link PerSamplePass}), the plan of
 * sample chunks (a fixed number of samples per chunk, or as many as the memory budget allows by a
 * one-sample probe of {@code rows} cotangent rows), and the first chunk's forward pass, run when
 * the job is made so that the pipeline's forward stage does the forward work.
 *
 * <pre>{@code
 * PerSampleGradients.Job job = PerSampleGradients.of(loss).prepare(x, y, params, names);
 * job.chunks();   // planned by this class
 * }</pre>
 */
abstract class PerSampleJob implements StagedJob {
    final PerSamplePass pass;
    private final List<RowChunk> chunks;

    PerSampleJob(PerSamplePass pass, PerSampleOptions options, long rows) {
        this(pass, options, rows, true);
    }

    /**
     * @param recordFirst run the first chunk's forward pass now (what {@code prepare} does for the
     *     pipeline's forward stage); the direct calls do not, so that {@link ParallelChunks} can
     *     split the batch across cores without a wasted forward pass
     */
    PerSampleJob(PerSamplePass pass, PerSampleOptions options, long rows, boolean recordFirst) {
        this.pass = pass;
        long bytes = options.samplesPerChunk() > 0 || options.memoryBudgetBytes() == 0 ? 0 : pass.bytesPerSample(rows);
        this.chunks = ChunkPlanner.plan(pass.samples(), options.samplesPerChunk(), options.memoryBudgetBytes(), bytes);
        if (recordFirst) {
            pass.recordFirst(chunks.get(0));
        }
    }

    /** The column layout of the parameters. */
    public ParameterLayout layout() {
        return pass.layout();
    }

    @Override
    public long samples() {
        return pass.samples();
    }

    @Override
    public List<RowChunk> chunks() {
        return chunks;
    }

    @Override
    public DataType dtype() {
        return pass.dtype();
    }
}
