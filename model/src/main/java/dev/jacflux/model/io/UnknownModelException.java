package dev.jacflux.model.io;

import dev.jacflux.model.ModelException;

/**
 * A model id that is not well formed, or names no model in a {@link ModelDirectory}.
 *
 * <pre>{@code
 * try {
 *     directory.load("00000000deadbeef", DataType.FLOAT);
 * } catch (UnknownModelException e) {
 *     System.err.println(e.getMessage());   // "unknown model '00000000deadbeef': no such model in the model directory"
 * }
 * }</pre>
 */
public class UnknownModelException extends ModelException {
    private static final long serialVersionUID = 1L;

    /** An error with a complete message. */
    public UnknownModelException(String message) {
        super(message);
    }
}
