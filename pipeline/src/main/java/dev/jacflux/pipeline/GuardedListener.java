package dev.jacflux.pipeline;

import java.time.Duration;

/**
 * Passes events to a {@link PipelineListener} and drops anything it throws: listeners must not
 * throw, and one that does must not end a batch or the stream (an exception thrown while the
 * output of a batch is observed would otherwise end the whole stream).
 *
 * <pre>{@code
 * PipelineListener safe = GuardedListener.of(userListener);
 * }</pre>
 */
final class GuardedListener implements PipelineListener {
    private final PipelineListener delegate;

    private GuardedListener(PipelineListener delegate) {
        this.delegate = delegate;
    }

    /** {@code listener} guarded; {@link PipelineListener#NOOP} for {@code null}. */
    static PipelineListener of(PipelineListener listener) {
        return listener == null || listener == PipelineListener.NOOP ? PipelineListener.NOOP : new GuardedListener(listener);
    }

    private static void run(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException ignored) {
            // a listener that throws breaks its contract; the batch and the stream go on
        }
    }

    @Override
    public void batchStarted(String job, int samples) {
        run(() -> delegate.batchStarted(job, samples));
    }

    @Override
    public void forwardFinished(String job, Duration elapsed) {
        run(() -> delegate.forwardFinished(job, elapsed));
    }

    @Override
    public void chunkStarted(String job, int rows) {
        run(() -> delegate.chunkStarted(job, rows));
    }

    @Override
    public void chunkFinished(String job, int rows, Duration elapsed) {
        run(() -> delegate.chunkFinished(job, rows, elapsed));
    }

    @Override
    public void chunkAbandoned(String job, int rows) {
        run(() -> delegate.chunkAbandoned(job, rows));
    }

    @Override
    public void assemblyFinished(String job, Duration elapsed) {
        run(() -> delegate.assemblyFinished(job, elapsed));
    }

    @Override
    public void batchSucceeded(String job, int samples, long jacobianEntries, long resultBytes, Duration total) {
        run(() -> delegate.batchSucceeded(job, samples, jacobianEntries, resultBytes, total));
    }

    @Override
    public void batchFailed(String job, int samples, FailureReason reason, Duration total) {
        run(() -> delegate.batchFailed(job, samples, reason, total));
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
