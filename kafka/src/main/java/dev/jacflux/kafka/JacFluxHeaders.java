package dev.jacflux.kafka;

/**
 * The record headers of the Kafka record format (values are UTF-8 text unless noted). Input
 * records carry {@link #JOB}, {@link #MODEL} and, for the per-sample gradient jobs,
 * {@link #LOSS} and {@link #TARGETS}; result and failure records carry the rest. Headers of an
 * input record whose names do not start with {@code jacflux-} (a trace or correlation id) are
 * copied to its result or failure record.
 *
 * <pre>{@code
 * ProducerRecord<byte[], byte[]> in = new ProducerRecord<>("batches", "batch-7".getBytes(UTF_8), Npz.toNpy(x));
 * in.headers().add(JacFluxHeaders.JOB, "grads".getBytes(UTF_8))
 *         .add(JacFluxHeaders.MODEL, modelId.getBytes(UTF_8))
 *         .add(JacFluxHeaders.LOSS, "cross_entropy".getBytes(UTF_8))
 *         .add(JacFluxHeaders.TARGETS, Npz.toNpy(labels));
 * }</pre>
 */
public final class JacFluxHeaders {
    /** Input: the job, {@code jacobian | grads | norms | param-jacobian} (see {@link WorkerJob}). */
    public static final String JOB = "jacflux-job";
    /** Input: the model id, 16 lowercase hex characters (see {@link dev.jacflux.model.io.ModelDirectory#id}). */
    public static final String MODEL = "jacflux-model";
    /** Input, jobs {@code grads} and {@code norms}: the loss, {@code cross_entropy | mse}. */
    public static final String LOSS = "jacflux-loss";
    /** Input, jobs {@code grads} and {@code norms}: the targets as the bytes of a {@code .npy} file. */
    public static final String TARGETS = "jacflux-targets";

    /** Result: the result's shape, e.g. {@code [16, 808]}. */
    public static final String SHAPE = "jacflux-shape";
    /** Result: the input batch's shape. */
    public static final String INPUT_SHAPE = "jacflux-input-shape";
    /** Result: the result's dtype, {@code float32 | float64}. */
    public static final String DTYPE = "jacflux-dtype";
    /** Result: milliseconds in the forward stage (decimal text). */
    public static final String FORWARD_MS = "jacflux-forward-ms";
    /** Result: milliseconds in the reverse passes, summed over chunks (decimal text). */
    public static final String VJP_MS = "jacflux-vjp-ms";
    /** Result: milliseconds assembling the result (decimal text). */
    public static final String ASSEMBLY_MS = "jacflux-assembly-ms";
    /** Result: milliseconds from admission to the result in the pipeline (decimal text). */
    public static final String TOTAL_MS = "jacflux-total-ms";
    /** Result: milliseconds from the worker polling the record to the result being ready (decimal text). */
    public static final String WORKER_MS = "jacflux-worker-ms";

    /** Failure: the one-line reason, naming the batch, the part and what was expected. */
    public static final String ERROR = "jacflux-error";
    /** Failure: the low-cardinality cause (see {@link WorkerFailureReason#tagValue()}). */
    public static final String ERROR_REASON = "jacflux-error-reason";

    /** Result and failure: the input record, {@code topic-partition@offset}. */
    public static final String SOURCE = "jacflux-source";
    /** Result and failure: the id of the worker that answered. */
    public static final String WORKER = "jacflux-worker";

    /** The prefix of every JacFlux header; other headers are copied from input to output. */
    public static final String PREFIX = "jacflux-";

    private JacFluxHeaders() {
    }
}
