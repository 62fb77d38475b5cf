package dev.jacflux.pipeline;

import dev.jacflux.autodiff.transforms.ChunkRows;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.autodiff.transforms.StagedJob;
import java.time.Duration;

/**
 * The chunk stage, {@code RowChunk -> ChunkTimes}: one batched reverse pass for a chunk of rows,
 * written into the chunk's slot of the leased result array. The chunk holds the lease while it
 * writes, so the array cannot reach another batch before the write is done, even if this chunk's
 * batch has failed or been cancelled meanwhile; a chunk whose batch has already let the array go
 * does nothing.
 *
 * <pre>{@code
 * ChunkTimes t = new ChunkStage(listener, "batch-jacobian").run(job, chunk, lease);   // null if the batch had ended
 * }</pre>
 */
final class ChunkStage {
    private final PipelineListener listener;
    private final String job;

    ChunkStage(PipelineListener listener, String job) {
        this.listener = listener;
        this.job = job;
    }

    /** Computes {@code chunk} into the lease's array; {@code null} if the batch had already ended. */
    ChunkTimes run(StagedJob staged, RowChunk chunk, ResultLease lease) {
        if (!lease.retain()) {
            return null;
        }
        int rows = (int) chunk.count();
        listener.chunkStarted(job, rows);
        long t0 = System.nanoTime();
        Long computedAt;
        try {
            computedAt = StageError.guard("the chunk of rows " + chunk.start() + ".." + chunk.end(), () -> {
                if (staged.writesDirectly()) {
                    staged.computeInto(chunk, lease.array());
                    return null;
                }
                ChunkRows computed = staged.compute(chunk);
                long t = System.nanoTime();
                staged.assemble(computed, lease.array());
                return t;
            });
        } catch (RuntimeException e) {
            lease.release();
            listener.chunkAbandoned(job, rows);
            throw e;
        }
        long t1 = System.nanoTime();
        lease.release();
        long vjp = (computedAt == null ? t1 : computedAt) - t0;
        listener.chunkFinished(job, rows, Duration.ofNanos(vjp));
        return new ChunkTimes(1, vjp, computedAt == null ? 0 : t1 - computedAt);
    }
}
