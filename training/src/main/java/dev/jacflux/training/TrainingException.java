package dev.jacflux.training;

/**
 * A training that cannot run as configured: bad options, a dataset that does not fit the model, a
 * checkpoint that does not match. The message is one line naming the option, file or field.
 *
 * <pre>{@code
 * throw new TrainingException("checkpoint out/checkpoints/step-120: field 'batch_size' is 64, the options say 128");
 * }</pre>
 */
public final class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with its one-line message. */
    public TrainingException(String message) {
        super(message);
    }

    /** An exception with its one-line message and cause. */
    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
