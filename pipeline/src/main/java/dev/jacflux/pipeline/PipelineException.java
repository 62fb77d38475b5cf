package dev.jacflux.pipeline;


/**
 * Ends the stream under the fail-fast error policy: names the batch and the cause.
 *
 * <pre>{@code
 * pipeline.process(batches).doOnError(PipelineException.class, e -> log(e.batchId(), e.getMessage()));
 * }</pre>
 */
public class PipelineException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String batchId;
    private final FailureReason reason;

    public PipelineException(BatchFailure failure) {
        super("batch " + failure.batchId() + " failed (" + failure.reason().tagValue() + "): " + failure.message(), failure.cause());
        this.batchId = failure.batchId();
        this.reason = failure.reason();
    }

    /** The failing batch's id. */
    public String batchId() {
        return batchId;
    }

    /** Why it failed. */
    public FailureReason reason() {
        return reason;
    }
}
