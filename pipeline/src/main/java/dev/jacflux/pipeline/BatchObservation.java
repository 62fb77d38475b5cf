package dev.jacflux.pipeline;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.observability.DefaultSignalListener;

/**
 * Reports one batch's passage to the {@link PipelineListener}, as a Reactor signal listener
 * ({@code Mono.tap}) on the batch's output: {@code batchStarted} on subscription, then exactly one
 * of {@code batchSucceeded} (with {@code assemblyFinished}) or {@code batchFailed}, on the output
 * or on cancellation, whichever comes first.
 *
 * <pre>{@code
 * Mono<PipelineResult> observed = output.tap(() -> new BatchObservation(listener, "batch-jacobian", 32, System.nanoTime()));
 * }</pre>
 */
final class BatchObservation extends DefaultSignalListener<PipelineResult> {
    private final PipelineListener listener;
    private final String job;
    private final int samples;
    private final long startNanos;
    private final AtomicBoolean ended = new AtomicBoolean();

    BatchObservation(PipelineListener listener, String job, int samples, long startNanos) {
        this.listener = listener;
        this.job = job;
        this.samples = samples;
        this.startNanos = startNanos;
    }

    @Override
    public void doFirst() {
        listener.batchStarted(job, samples);
    }

    @Override
    public void doOnNext(PipelineResult r) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (r instanceof JacobianResult ok) {
            StageTimings t = ok.timings();
            long entries = ok.entries();
            listener.assemblyFinished(job, t.assembly());
            listener.batchSucceeded(job, samples, entries, entries * ok.dtypeWidth(), t.total());
        } else if (r instanceof BatchFailure f) {
            listener.batchFailed(job, samples, f.reason(), elapsed());
        }
    }

    @Override
    public void doOnCancel() {
        if (ended.compareAndSet(false, true)) {
            listener.batchFailed(job, samples, FailureReason.CANCELLED, elapsed());
        }
    }

    @Override
    public void doOnError(Throwable e) {
        if (ended.compareAndSet(false, true)) {
            listener.batchFailed(job, samples, Failures.classify(e), elapsed());
        }
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
