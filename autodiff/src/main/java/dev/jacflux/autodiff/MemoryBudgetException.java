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
    private final long neededBytes;
    private final long budgetBytes;

    /** Creates an exception with a message naming the budget and the need. */
    public MemoryBudgetException(String message) {
        this(message, 0, 0);
    }

    /**
     * Creates an exception with a message, the working memory one row (or sample) needs and the
     * budget it was measured against, so that a caller who divided a larger budget can say so.
     */
    public MemoryBudgetException(String message, long neededBytes, long budgetBytes) {
        super(message);
        this.neededBytes = neededBytes;
        this.budgetBytes = budgetBytes;
    }

    /** Estimated working memory of one row or sample, in bytes; 0 if not known. */
    public long neededBytes() {
        return neededBytes;
    }

    /** The budget the need exceeded, in bytes; 0 if not known. */
    public long budgetBytes() {
        return budgetBytes;
    }
}
