package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;

/**
 * How a Jacobian is computed: rows per pass, a memory budget, forward or reverse mode, and the
 * opt-in check that a batch Jacobian's function keeps samples independent.
 *
 * <pre>{@code
 * JacobianOptions o = JacobianOptions.DEFAULT.withChunkSize(32).withIndependenceCheck(true);
 * }</pre>
 *
 * @param chunkSize rows per pass; 1 is the row-by-row loop, 0 means all rows at once (or as many
 *     as the memory budget allows)
 * @param memoryBudgetBytes working-memory budget for one pass; 0 means unlimited
 * @param mode reverse, forward, or automatic choice (forward when the input has fewer elements
 *     than the output)
 * @param checkIndependence for batch Jacobians: verify that no output sample depends on another
 *     sample's input, and fail with a message that says so instead of returning a wrong block
 */
public record JacobianOptions(long chunkSize, long memoryBudgetBytes, Mode mode, boolean checkIndependence) {

    /** Forward (column by column) or reverse (row by row) mode, or the automatic choice. */
    public enum Mode {
        REVERSE, FORWARD, AUTO
    }

    /** All rows at once, no budget, automatic mode, no independence check. */
    public static final JacobianOptions DEFAULT = new JacobianOptions(0, 0, Mode.AUTO, false);

    public JacobianOptions {
        if (chunkSize < 0) {
            throw new AutodiffException("jacobian options: chunk size must be >= 0 (0 = all rows), got " + chunkSize);
        }
        if (memoryBudgetBytes < 0) {
            throw new AutodiffException("jacobian options: memory budget must be >= 0 bytes (0 = unlimited), got " + memoryBudgetBytes);
        }
        if (mode == null) {
            throw new AutodiffException("jacobian options: mode must not be null");
        }
    }

    public JacobianOptions withChunkSize(long rows) {
        return new JacobianOptions(rows, memoryBudgetBytes, mode, checkIndependence);
    }

    public JacobianOptions withMemoryBudget(long bytes) {
        return new JacobianOptions(chunkSize, bytes, mode, checkIndependence);
    }

    public JacobianOptions withMode(Mode m) {
        return new JacobianOptions(chunkSize, memoryBudgetBytes, m, checkIndependence);
    }

    public JacobianOptions withIndependenceCheck(boolean check) {
        return new JacobianOptions(chunkSize, memoryBudgetBytes, mode, check);
    }
}
