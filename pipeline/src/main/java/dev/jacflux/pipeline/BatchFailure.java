package dev.jacflux.pipeline;

import java.util.Map;

/**
 * A batch that produced no result, naming the batch and the cause. Emitted in place of a result
 * (the stream goes on) unless the error policy is fail-fast.
 *
 * <pre>{@code
 * if (r instanceof BatchFailure f && f.reason() == FailureReason.SHAPE) {
 *     System.err.println(f.batchId() + ": " + f.message());
 * }
 * }</pre>
 *
 * @param batchId the batch's id
 * @param reason low-cardinality cause (shape, non-finite, budget, internal)
 * @param message what went wrong, naming shapes and limits
 * @param cause the underlying exception
 * @param attributes the batch's attributes
 */
public record BatchFailure(String batchId, FailureReason reason, String message, Throwable cause, Map<String, String> attributes)
        implements PipelineResult {
}
