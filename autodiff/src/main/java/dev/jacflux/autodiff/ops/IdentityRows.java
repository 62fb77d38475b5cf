package dev.jacflux.autodiff.ops;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Blocks of identity rows, the first cotangents of Jacobians, made once and remembered: rows
 * {@code start .. start+count} of the identity over {@code d} columns as a dense {@code [count, d]}
 * array. A block is a constant (never written after it is made), so the same array serves every
 * pass that asks for it, and a GEMM whose left operand is exactly a remembered block is known to be
 * a gather of rows without looking at its values ({@link OneHotRows}). At most
 * {@link #MAX_BYTES} of blocks are kept (least recently used first out); a block that is no longer
 * remembered is still a valid array, it is just not recognised by its memory any more.
 *
 * <pre>{@code
 * INDArray seed = IdentityRows.block(DataType.FLOAT, 0, 1000, 1000);   // [1000, 1000], cached
 * int[] cols = IdentityRows.columnsOf(seed.reshape('c', 1000, 1000));  // {0, 1, ..., 999}
 * }</pre>
 */
public final class IdentityRows {
    /** Bytes of blocks kept at most. */
    public static final long MAX_BYTES = 64L << 20;

    private static final List<Block> BLOCKS = new ArrayList<>();

    private record Block(DataType dtype, long start, long count, long d, INDArray array, long address) {
        long bytes() {
            return count * d * dtype.width();
        }
    }

    private IdentityRows() {
    }

    /** Rows {@code start .. start+count} of the {@code d x d} identity, {@code [count, d]}, dense; do not write into it. */
    public static INDArray block(DataType dtype, long start, long count, long d) {
        synchronized (BLOCKS) {
            for (Iterator<Block> it = BLOCKS.iterator(); it.hasNext();) {
                Block b = it.next();
                if (b.dtype() == dtype && b.start() == start && b.count() == count && b.d() == d) {
                    it.remove();
                    BLOCKS.add(b);   // most recently used last
                    return b.array();
                }
            }
        }
        INDArray a;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            a = Nd4j.zeros(dtype, count, d);
            if (count > 0 && start < d) {
                // the ones sit at flat offsets start + k (d + 1): a strided view over the same buffer, one assignment
                long ones = Math.min(count, d - start);
                Nd4j.create(a.data(), new long[] {ones}, new long[] {d + 1}, start, 'c').assign(1.0);
            }
        }
        if (start + count > d) {
            // rows past the identity's last row are zero rows; such blocks are not remembered as identity rows
            return a;
        }
        Block b = new Block(dtype, start, count, d, a, NativeMemory.AVAILABLE ? NativeMemory.address(a) : a.data().address());
        synchronized (BLOCKS) {
            BLOCKS.add(b);
            long total = 0;
            for (Block x : BLOCKS) {
                total += x.bytes();
            }
            while (total > MAX_BYTES && BLOCKS.size() > 1) {
                total -= BLOCKS.remove(0).bytes();
            }
        }
        return a;
    }

    /**
     * If {@code a} is a dense 2-D array over exactly the memory of a remembered block (any view or
     * reshape of it to {@code [count, d]}), the column of the 1 in each of its rows; else null.
     */
    public static int[] columnsOf(INDArray a) {
        if (a.rank() != 2 || a.ordering() != 'c' || !NativeMemory.AVAILABLE || !NativeMemory.isDense(a)) {
            return null;
        }
        long at = NativeMemory.address(a);
        synchronized (BLOCKS) {
            for (Block b : BLOCKS) {
                if (b.address() == at && b.dtype() == a.dataType() && b.count() == a.size(0) && b.d() == a.size(1)) {
                    int[] cols = new int[(int) b.count()];
                    for (int k = 0; k < cols.length; k++) {
                        cols[k] = (int) (b.start() + k);
                    }
                    return cols;
                }
            }
        }
        return null;
    }
}
