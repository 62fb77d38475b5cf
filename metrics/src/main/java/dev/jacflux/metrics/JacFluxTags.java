package dev.jacflux.metrics;

import dev.jacflux.pipeline.FailureReason;
/**
 * Tag keys and the fixed tag values of the JacFlux meters. All values are low-cardinality: the
 * job kind's config name, one of three stages, two outcomes and the {@link FailureReason}s.
 * <pre>{@code
 * registry.get(JacFluxMeter.STAGE_DURATION.meterName())
 *         .tags(JacFluxTags.STAGE, JacFluxTags.STAGE_FORWARD, JacFluxTags.JOB, "batch-jacobian")
 *         .timer();
 * }</pre>
 */
public final class JacFluxTags {
    /** Tag key: the job kind in config form, e.g. {@code batch-jacobian}. */
    public static final String JOB = "job";
    /** Tag key of {@link JacFluxMeter#STAGE_DURATION}: {@code forward}, {@code vjp-chunk} or {@code assembly}. */
    public static final String STAGE = "stage";
    /** Tag key: {@code success} or {@code failure}. */
    public static final String OUTCOME = "outcome";
    /** Tag key of {@link JacFluxMeter#FAILED_BATCHES}: a {@link FailureReason#tagValue()}. */
    public static final String REASON = "reason";

    /** Stage value: the forward pass of a batch. */
    public static final String STAGE_FORWARD = "forward";
    /** Stage value: the batched VJP of one row chunk. */
    public static final String STAGE_VJP_CHUNK = "vjp-chunk";
    /** Stage value: assembling the chunk results into the batch result. */
    public static final String STAGE_ASSEMBLY = "assembly";

    /** Outcome value of a batch that produced a result. */
    public static final String OUTCOME_SUCCESS = "success";
    /** Outcome value of a batch that produced a failure. */
    public static final String OUTCOME_FAILURE = "failure";

    private JacFluxTags() {
    }
}
