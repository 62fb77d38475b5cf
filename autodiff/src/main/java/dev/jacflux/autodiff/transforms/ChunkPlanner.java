package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.MemoryBudgetException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the rows of a job into chunks: a fixed chunk size (rows per reverse pass, as
 * {@code chunk_size} in {@code torch.func.jacrev}), or the largest size whose estimated working
 * memory fits a budget in bytes. Chunks are independent and can run on separate threads.
 *
 * <pre>{@code
 * List<RowChunk> plan = ChunkPlanner.plan(1000, 0, 64L << 20, 256 * 1024); // 256 rows per chunk
 * }</pre>
 */
public final class ChunkPlanner {
    private ChunkPlanner() {
    }

    /**
     * Plans chunks over {@code totalRows} rows.
     *
     * @param chunkSize rows per chunk; 0 means derive it from the budget (all rows if no budget)
     * @param memoryBudgetBytes working-memory budget for one chunk; 0 means unlimited
     * @param bytesPerRow estimated working memory of one row in a reverse pass
     * @throws AutodiffException if even a single row exceeds the budget
     */
    public static List<RowChunk> plan(long totalRows, long chunkSize, long memoryBudgetBytes, long bytesPerRow) {
        if (totalRows < 1) {
            throw new AutodiffException("chunk planner: nothing to compute (" + totalRows + " rows)");
        }
        if (chunkSize < 0 || memoryBudgetBytes < 0) {
            throw new AutodiffException("chunk planner: chunk size and memory budget must be >= 0, got "
                    + chunkSize + " and " + memoryBudgetBytes);
        }
        long size = chunkSize > 0 ? chunkSize : rowsWithinBudget(totalRows, memoryBudgetBytes, bytesPerRow);
        size = Math.min(size, totalRows);
        List<RowChunk> chunks = new ArrayList<>();
        int index = 0;
        for (long start = 0; start < totalRows; start += size) {
            chunks.add(new RowChunk(index++, start, Math.min(size, totalRows - start)));
        }
        return chunks;
    }

    /** The number of rows per chunk that a budget allows (all rows when the budget is 0). */
    public static long rowsWithinBudget(long totalRows, long memoryBudgetBytes, long bytesPerRow) {
        if (memoryBudgetBytes == 0) {
            return totalRows;
        }
        long perRow = Math.max(1, bytesPerRow);
        long rows = memoryBudgetBytes / perRow;
        if (rows < 1) {
            throw new MemoryBudgetException("chunk planner: one row needs about " + perRow + " bytes of working memory, more than the "
                    + "memory budget of " + memoryBudgetBytes + " bytes; raise the budget or use smaller batches", perRow, memoryBudgetBytes);
        }
        return Math.min(rows, totalRows);
    }
}
