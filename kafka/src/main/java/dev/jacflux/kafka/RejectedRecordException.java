package dev.jacflux.kafka;

/**
 * An input record the worker cannot run: it becomes a failure record with this reason and message.
 *
 * <pre>{@code
 * throw new RejectedRecordException(WorkerFailureReason.MISSING_HEADER,
 *         "batch b7: header jacflux-job is missing; expected jacobian | grads | norms | param-jacobian");
 * }</pre>
 */
public final class RejectedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final WorkerFailureReason reason;

    /** A rejection with its reason and one-line message. */
    public RejectedRecordException(WorkerFailureReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The reason. */
    public WorkerFailureReason reason() {
        return reason;
    }
}
