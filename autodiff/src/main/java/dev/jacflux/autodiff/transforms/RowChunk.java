package dev.jacflux.autodiff.transforms;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A block of consecutive rows of a job (output rows of a Jacobian, or samples of a per-sample
 * computation) that one reverse pass computes.
 *
 * <pre>{@code
 * RowChunk c = new RowChunk(2, 64, 32);   // third chunk: rows 64..95
 * }</pre>
 *
 * @param index position of the chunk in its plan (0-based)
 * @param start first row
 * @param count number of rows (at least 1)
 */
public record RowChunk(int index, long start, long count) {
    public RowChunk {
        if (start < 0 || count < 1) {
            throw new IllegalArgumentException("row chunk needs start >= 0 and count >= 1, got start " + start + ", count " + count);
        }
    }

    /** One past the last row. */
    public long end() {
        return start + count;
    }

    /**
     * This chunk's rows of {@code a} along its first axis (a view; {@code a} itself when the chunk
     * covers all of it), e.g. the samples of a batch or the matching targets.
     */
    public INDArray rowsOf(INDArray a) {
        if (start == 0 && count == a.size(0)) {
            return a;
        }
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(start, end());
        for (int i = 1; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return a.get(idx);
    }
}
