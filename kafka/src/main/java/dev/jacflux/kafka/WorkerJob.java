package dev.jacflux.kafka;

import dev.jacflux.config.JobKind;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The values of the {@code jacflux-job} header and the pipeline job each one runs.
 *
 * <pre>{@code
 * WorkerJob.parse("grads").orElseThrow().kind();   // JobKind.PER_SAMPLE_GRADIENTS
 * WorkerJob.NORMS.needsTargets();                 // true
 * }</pre>
 */
public enum WorkerJob {
    /** Batch Jacobian {@code [B, *out, *in]} of the model's outputs with respect to its inputs. */
    JACOBIAN("jacobian", JobKind.BATCH_JACOBIAN, false),
    /** Per-sample gradients {@code [B, M]} of a loss with respect to all parameters. */
    GRADS("grads", JobKind.PER_SAMPLE_GRADIENTS, true),
    /** Per-sample gradient norms {@code [B]} (ghost norms, without the {@code B x M} matrix). */
    NORMS("norms", JobKind.PER_SAMPLE_GRADIENT_NORMS, true),
    /** Per-sample parameter Jacobian {@code [B, D_y, M]} of the model's outputs. */
    PARAM_JACOBIAN("param-jacobian", JobKind.PER_SAMPLE_PARAM_JACOBIAN, false);

    private final String headerValue;
    private final JobKind kind;
    private final boolean needsTargets;

    WorkerJob(String headerValue, JobKind kind, boolean needsTargets) {
        this.headerValue = headerValue;
        this.kind = kind;
        this.needsTargets = needsTargets;
    }

    /** The header value, e.g. {@code param-jacobian}. */
    public String headerValue() {
        return headerValue;
    }

    /** The pipeline job. */
    public JobKind kind() {
        return kind;
    }

    /** Whether the job needs a loss and targets ({@code grads}, {@code norms}). */
    public boolean needsTargets() {
        return needsTargets;
    }

    /** The job of a header value (exact, lowercase), if any. */
    public static Optional<WorkerJob> parse(String headerValue) {
        return Arrays.stream(values()).filter(j -> j.headerValue.equals(headerValue)).findFirst();
    }

    /** {@code jacobian | grads | norms | param-jacobian}, for messages. */
    public static String choices() {
        return Arrays.stream(values()).map(WorkerJob::headerValue).collect(Collectors.joining(" | "));
    }
}
