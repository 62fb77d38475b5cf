package dev.jacflux.autodiff.transforms;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The computed rows of one chunk, in the layout its job documents (for a batch Jacobian one block
 * {@code [count, B or 1, *in]}: row {@code k} of every sample, size 1 on the sample axis when the
 * rows are the same for every sample; for per-sample gradients one block per parameter). The
 * job's {@code assemble} writes the blocks into the result.
 *
 * <pre>{@code
 * ChunkRows rows = job.compute(chunk);
 * job.assemble(rows, result);
 * }</pre>
 *
 * @param chunk the chunk these rows belong to
 * @param blocks the computed blocks (at least one)
 */
public record ChunkRows(RowChunk chunk, List<INDArray> blocks) {
    public ChunkRows {
        blocks = List.copyOf(blocks);
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("chunk rows need at least one block");
        }
    }

    /** Rows held in a single block. */
    public ChunkRows(RowChunk chunk, INDArray rows) {
        this(chunk, List.of(rows));
    }

    /** The first (for most jobs the only) block. */
    public INDArray rows() {
        return blocks.get(0);
    }

    /** Bytes held by the blocks (what this chunk keeps alive until assembled). */
    public long bytes() {
        long total = 0;
        for (INDArray b : blocks) {
            total += b.length() * b.dataType().width();
        }
        return total;
    }
}
