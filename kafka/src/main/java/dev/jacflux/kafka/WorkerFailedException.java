package dev.jacflux.kafka;

/**
 * An error the worker cannot recover from (its producer was fenced by another one with the same
 * transactional id, it is not authorised, the broker is too old for transactions): the worker
 * stops in state {@link WorkerState#FAILED}.
 *
 * <pre>{@code
 * worker.status().failure();   // "producer jacflux-g-w1 was fenced: another worker uses the same id"
 * }</pre>
 */
public final class WorkerFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a one-line message and its cause. */
    public WorkerFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
