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
    /** The batch's shape or dtype does not fit the model or the job. */
    SHAPE,
    /** The batch contains NaN or infinite values and the non-finite policy rejects them. */
    NON_FINITE,
    /** Even a one-row chunk does not fit the memory budget. */
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
