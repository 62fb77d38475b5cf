package dev.jacflux.service.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The service's own meters, beside the pipeline's {@code jacflux.*}: requests refused for want of
 * a job slot, running jobs, and the batches of answers whose client went away before they were
 * written (the pipeline counts only the batches it was computing at that moment as cancelled; the
 * ones it never started are counted here).
 *
 * <pre>{@code
 * jacflux_service_rejected_jobs_total 3.0
 * jacflux_service_jobs_running 1.0
 * jacflux_service_cancelled_batches_total 512.0
 * }</pre>
 */
public final class JobMeters {
    private final Counter rejected;
    private final Counter cancelledBatches;

    /** Meters in {@code registry}, the running-jobs gauge reading {@code slots}. */
    public JobMeters(MeterRegistry registry, JobSlots slots) {
        this.rejected = Counter.builder("jacflux.service.rejected.jobs").baseUnit("requests")
                .description("Job requests refused with 429: every job slot was taken").register(registry);
        this.cancelledBatches = Counter.builder("jacflux.service.cancelled.batches").baseUnit("batches")
                .description("Batches of answers whose client went away before they were written").register(registry);
        Gauge.builder("jacflux.service.jobs.running", slots, JobSlots::inUse).baseUnit("jobs")
                .description("Job requests holding a slot now").register(registry);
    }

    /** A request was refused for want of a slot. */
    void rejected() {
        rejected.increment();
    }

    /** {@code batches} of an answer will not be written: its client went away. */
    void cancelled(int batches) {
        cancelledBatches.increment(batches);
    }
}
