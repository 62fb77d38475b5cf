package dev.jacflux.service.jobs;

import dev.jacflux.config.JobKind;
import dev.jacflux.service.models.StoredModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hears each batch result of a Jacobian or gradient request once its rows are written to the
 * client, before the array goes back to the pipeline's buffer pool: the place to compute an
 * aggregate of a job's results (the dashboard's saliency map) without holding or copying them.
 * Every bean of this type is called, on the thread that writes the answer, so an implementation
 * must be quick, must not keep {@code result} (it is reused after the call) and must not throw
 * (an exception is logged and ignored; the answer is not affected).
 *
 * <pre>{@code
 * @Bean
 * JobResultListener meanAbs() {
 *     return (requestId, model, kind, result) -> {
 *         if (kind == JobKind.BATCH_JACOBIAN) {
 *             log.info("{}: mean |J| {}", requestId, result.amean().getDouble(0));
 *         }
 *     };
 * }
 * }</pre>
 */
@FunctionalInterface
public interface JobResultListener {

    /**
     * A batch's result was written.
     *
     * @param requestId the request's id (the {@code X-Request-Id} answer header): all batches of one request share it
     * @param model     the model the job ran
     * @param kind      the job kind
     * @param result    the batch's result, e.g. {@code [B, *out, *in]} for a batch Jacobian; valid during the call only
     */
    void resultWritten(String requestId, StoredModel model, JobKind kind, INDArray result);
}
