package dev.jacflux.kafka;

import dev.jacflux.pipeline.FailureReason;
import java.util.Locale;

/**
 * Why an input record got a failure record instead of a result: the value of the
 * {@code jacflux-error-reason} header and the {@code reason} tag of the failures meter.
 *
 * <pre>{@code
 * WorkerFailureReason.UNKNOWN_MODEL.tagValue();              // "unknown-model"
 * WorkerFailureReason.of(FailureReason.NON_FINITE);           // NON_FINITE
 * }</pre>
 */
public enum WorkerFailureReason {
    /** The record has no key (the batch id). */
    MISSING_KEY,
    /** A required header is missing ({@code jacflux-job}, {@code jacflux-model}, and for the gradient jobs {@code jacflux-loss}, {@code jacflux-targets}). */
    MISSING_HEADER,
    /** A header has a value outside its choices (an unknown job or loss). */
    BAD_HEADER,
    /** The value (or the targets header) is not the bytes of a readable {@code .npy} file. */
    NOT_NPY,
    /** No model with this id in the model directory, or not a well-formed id. */
    UNKNOWN_MODEL,
    /** The model's files exist but do not load (corrupt or not matching their id). */
    BAD_MODEL,
    /** The input's shape or dtype does not fit the model or the job. */
    SHAPE,
    /** The targets do not fit the loss, the batch or the model. */
    TARGETS,
    /** The input holds NaN or infinite values (non-finite policy: reject). */
    NON_FINITE,
    /** Even a one-row chunk does not fit the memory budget. */
    BUDGET,
    /** The result is larger than one record may be (the producer's {@code max.request.size}). */
    TOO_LARGE,
    /** An unexpected error in the computation. */
    INTERNAL;

    /** The header and tag value: the constant in kebab-case, e.g. {@code not-npy}. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The worker reason of a pipeline failure ({@code CANCELLED} never becomes a record; it maps to {@link #INTERNAL}). */
    public static WorkerFailureReason of(FailureReason reason) {
        return switch (reason) {
            case SHAPE -> SHAPE;
            case NON_FINITE -> NON_FINITE;
            case BUDGET -> BUDGET;
            case INTERNAL, CANCELLED -> INTERNAL;
        };
    }
}
