package dev.jacflux.pipeline;

import java.util.function.Supplier;

/**
 * A failure inside a stage, carried as an ordinary exception that names the stage. Reactor treats
 * a JVM error such as {@link OutOfMemoryError} as fatal to the whole JVM and never delivers it, so
 * the batch would never end (the old pipeline hung); every stage therefore runs through
 * {@link #guard}, which turns errors, and native allocation failures, into this exception, and the
 * batch fails with it.
 *
 * <pre>{@code
 * ForwardPass fp = StageError.guard("the forward pass", () -> forward(batch));
 * }</pre>
 */
final class StageError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String stage;

    private StageError(String stage, Throwable cause) {
        super(stage + ": " + cause.getMessage(), cause);
        this.stage = stage;
    }

    /** Where it happened, e.g. {@code "the forward pass"}. */
    String stage() {
        return stage;
    }

    /**
     * Runs {@code body}; an {@link Error} or a failed native allocation leaves as a
     * {@code StageError} naming {@code stage}, other exceptions as they are.
     */
    static <T> T guard(String stage, Supplier<T> body) {
        try {
            return body.get();
        } catch (Error e) {
            throw new StageError(stage, e);
        } catch (RuntimeException e) {
            if (Failures.outOfMemory(e)) {
                throw new StageError(stage, e);
            }
            throw e;
        }
    }
}
