package dev.jacflux.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * Hook through which the pipeline stages report what they do, so that the pipeline itself has
 * no Micrometer calls. This interface does not depend on Micrometer; {@link #NOOP} ignores
 * everything and {@code dev.jacflux.metrics.MicrometerPipelineListener} (module {@code jacflux-metrics}) turns the events into meters.
 *
 * <p>Contract for callers (the pipeline): {@code job} is the job kind's config name (e.g.
 * {@code batch-jacobian}); arguments are non-null; every {@link #batchStarted} is followed by
 * exactly one {@link #batchSucceeded} or {@link #batchFailed} (also on cancellation, with
 * {@link FailureReason#CANCELLED}), and every {@link #chunkStarted} by exactly one
 * {@link #chunkFinished} or {@link #chunkAbandoned}, so that the in-flight gauges return to 0.
 * Methods may be called from several threads at once: {@link #batchStarted} (and a cancelled
 * batch's {@link #batchFailed}) on the thread that subscribes to the batch, e.g. a Kafka worker's
 * poll loop, the others on the rails. Implementations must be thread-safe, fast, must not block
 * and must not throw. All methods default to doing nothing.
 * <pre>{@code
 * listener.batchStarted("batch-jacobian", 32);
 * listener.forwardFinished("batch-jacobian", Duration.ofMillis(4));
 * listener.chunkStarted("batch-jacobian", 16);
 * listener.chunkFinished("batch-jacobian", 16, Duration.ofMillis(9));
 * listener.assemblyFinished("batch-jacobian", Duration.ofMillis(1));
 * listener.batchSucceeded("batch-jacobian", 32, 32L * 10 * 784, 32L * 10 * 784 * 4, Duration.ofMillis(15));
 * }</pre>
 */
public interface PipelineListener {

    /** A listener that ignores every event. */
    PipelineListener NOOP = new PipelineListener() {
        @Override
        public String toString() {
            return "PipelineListener.NOOP";
        }
    };

    /** A batch of {@code samples} samples was admitted (batches in flight +1). */
    default void batchStarted(String job, int samples) {
    }

    /** The forward pass of a batch finished after {@code elapsed}. */
    default void forwardFinished(String job, Duration elapsed) {
    }

    /** A VJP chunk of {@code rows} cotangent rows started (chunks in flight +1). */
    default void chunkStarted(String job, int rows) {
    }

    /** A VJP chunk of {@code rows} rows finished after {@code elapsed} (chunks in flight -1). */
    default void chunkFinished(String job, int rows, Duration elapsed) {
    }

    /** A started chunk ended without a result: it failed or was cancelled (chunks in flight -1). */
    default void chunkAbandoned(String job, int rows) {
    }

    /** The chunk results of a batch were assembled into its result after {@code elapsed}. */
    default void assemblyFinished(String job, Duration elapsed) {
    }

    /**
     * A batch produced its result (batches in flight -1).
     *
     * @param samples         samples in the batch
     * @param jacobianEntries entries of the result (e.g. {@code N * M * D} for a batch Jacobian)
     * @param resultBytes     bytes of the result arrays
     * @param total           time from {@link #batchStarted} to the result
     */
    default void batchSucceeded(String job, int samples, long jacobianEntries, long resultBytes, Duration total) {
    }

    /**
     * A batch produced a failure instead of a result (batches in flight -1).
     *
     * @param samples samples in the batch
     * @param reason  low-cardinality cause
     * @param total   time from {@link #batchStarted} to the failure
     */
    default void batchFailed(String job, int samples, FailureReason reason, Duration total) {
    }

    /**
     * A listener that forwards every event to each of {@code listeners} in order.
     * <pre>{@code
     * PipelineListener both = PipelineListener.composite(metricsListener, loggingListener);
     * }</pre>
     */
    static PipelineListener composite(PipelineListener... listeners) {
        List<PipelineListener> all = List.of(listeners);
        return new PipelineListener() {
            @Override
            public void batchStarted(String job, int samples) {
                all.forEach(l -> l.batchStarted(job, samples));
            }

            @Override
            public void forwardFinished(String job, Duration elapsed) {
                all.forEach(l -> l.forwardFinished(job, elapsed));
            }

            @Override
            public void chunkStarted(String job, int rows) {
                all.forEach(l -> l.chunkStarted(job, rows));
            }

            @Override
            public void chunkFinished(String job, int rows, Duration elapsed) {
                all.forEach(l -> l.chunkFinished(job, rows, elapsed));
            }

            @Override
            public void chunkAbandoned(String job, int rows) {
                all.forEach(l -> l.chunkAbandoned(job, rows));
            }

            @Override
            public void assemblyFinished(String job, Duration elapsed) {
                all.forEach(l -> l.assemblyFinished(job, elapsed));
            }

            @Override
            public void batchSucceeded(String job, int samples, long jacobianEntries, long resultBytes,
                    Duration total) {
                all.forEach(l -> l.batchSucceeded(job, samples, jacobianEntries, resultBytes, total));
            }

            @Override
            public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
                all.forEach(l -> l.batchFailed(job, samples, reason, total));
            }

            @Override
            public String toString() {
                return "PipelineListener.composite" + all;
            }
        };
    }
}
