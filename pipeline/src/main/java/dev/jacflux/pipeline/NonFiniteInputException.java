package dev.jacflux.pipeline;

/**
 * A batch contained NaN or infinite values and the non-finite policy rejects them.
 *
 * <pre>{@code
 * throw new NonFiniteInputException("batch b7: input [32, 784] contains 3 NaN and 0 infinite values");
 * }</pre>
 */
public class NonFiniteInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NonFiniteInputException(String message) {
        super(message);
    }
}
