package dev.jacflux.autodiff;

/**
 * Raised when a computation cannot be split into chunks that fit the memory budget it was given
 * (one row or one sample alone needs more working memory than the budget).
 *
 * <pre>{@code
 * try {
 *     ChunkPlanner.plan(rows, 0, budgetBytes, bytesPerRow);
 * } catch (MemoryBudgetException e) {
 *     // raise the budget or use smaller batches
 * }
 * }</pre>
 */
public class MemoryBudgetException extends AutodiffException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message naming the budget and the need. */
    public MemoryBudgetException(String message) {
        super(message);
    }
}
