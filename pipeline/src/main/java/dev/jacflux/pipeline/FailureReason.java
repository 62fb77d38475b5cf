package dev.jacflux.pipeline;

import java.util.Locale;

/**
 * Why a batch failed, as a low-cardinality metric tag. The pipeline maps each failure to one of
 * these before reporting {@link PipelineListener#batchFailed}.
 * <pre>{@code
 * listener.batchFailed("batch-jacobian", 32, FailureReason.NON_FINITE, elapsed);
 * FailureReason.NON_FINITE.tagValue();   // "non-finite"
 * }</pre>
 */
public enum FailureReason {
    /**
     * The batch's shape or dtype does not fit the model or the job, or the job does not fit the
     * model (e.g. a batch Jacobian of a model with batch statistics).
     */
    SHAPE,
    /** The batch contains NaN or infinite values and the non-finite policy rejects them. */
    NON_FINITE,
    /**
     * Out of memory: even a one-row chunk does not fit its share of the memory budget, or the
     * batch ran out of memory while running (a Java {@link OutOfMemoryError} or a native
     * allocation failure, in the forward pass, a chunk or the result array).
     */
    BUDGET,
    /** An unexpected error in the computation (a bug or a backend failure). */
    INTERNAL,
    /** The batch was cancelled (subscriber cancelled, pipeline shut down) before it finished. */
    CANCELLED;

    /** The tag value: the constant in kebab-case, e.g. {@code non-finite}. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
