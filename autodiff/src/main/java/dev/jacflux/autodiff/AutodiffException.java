package dev.jacflux.autodiff;

/**
 * Raised when a differentiable computation is used wrongly: mismatched shapes, unsupported
 * dtypes, empty batches, non-differentiable uses, or a Jacobian request that does not fit the
 * function (for example a batch Jacobian of a function that mixes samples).
 *
 * <p>Messages always name the op or transform, the shapes involved and what was expected:
 * <pre>{@code
 * try {
 *     x.matmul(w);                       // x [4, 3], w [5, 2]
 * } catch (AutodiffException e) {
 *     // "matmul: inner dimensions differ: left [4, 3] has 3 columns, right [5, 2] has 5 rows"
 * }
 * }</pre>
 */
public class AutodiffException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that names the op, the shapes and the expectation. */
    public AutodiffException(String message) {
        super(message);
    }

    /** Creates an exception that wraps a lower-level cause (for example an ND4J failure). */
    public AutodiffException(String message, Throwable cause) {
        super(message, cause);
    }
}
