package dev.jacflux.pipeline;

/**
 * What the pipeline emits for each batch: exactly one of {@link JacobianResult} or
 * {@link BatchFailure}, carrying the batch id.
 *
 * <pre>{@code
 * switch (r) {
 *     case JacobianResult ok -> use(ok.array());
 *     case BatchFailure f -> log(f.batchId() + ": " + f.message());
 * }
 * }</pre>
 */
public sealed interface PipelineResult permits JacobianResult, BatchFailure {

    /** The id of the batch this result belongs to. */
    String batchId();

    /** Whether this is a successful result. */
    default boolean isSuccess() {
        return this instanceof JacobianResult;
    }
}
