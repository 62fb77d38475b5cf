package dev.jacflux.autodiff.transforms;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The computed rows of one chunk, in the layout its job documents (for a batch Jacobian
 * {@code [count, B or 1, *in]}: row {@code k} of every sample, size 1 on the sample axis when the
 * rows are the same for every sample). A job's {@code assemble} writes it into the result.
 *
 * <pre>{@code
 * ChunkRows rows = job.compute(chunk);
 * job.assemble(rows, result);
 * }</pre>
 *
 * @param chunk the chunk these rows belong to
 * @param rows the computed block
 */
public record ChunkRows(RowChunk chunk, INDArray rows) {
}
