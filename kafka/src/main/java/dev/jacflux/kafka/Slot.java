package dev.jacflux.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.Disposable;

/**
 * One polled input record on its way to a committed output: created by the polling thread, given
 * its {@link Outcome} by a pipeline rail (or at once for a rejected record), removed by the polling
 * thread when the transaction carrying the outcome commits, or cancelled when its partition goes.
 */
final class Slot {
    private final long offset;
    private final long polledNanos;
    private volatile ConsumerRecord<byte[], byte[]> record;
    private volatile Outcome outcome;
    private volatile Disposable work;
    private volatile boolean cancelled;

    Slot(ConsumerRecord<byte[], byte[]> record, long polledNanos) {
        this.record = record;
        this.offset = record.offset();
        this.polledNanos = polledNanos;
    }

    long offset() {
        return offset;
    }

    long polledNanos() {
        return polledNanos;
    }

    /** The input record, until the outcome is set. */
    ConsumerRecord<byte[], byte[]> record() {
        return record;
    }

    Outcome outcome() {
        return outcome;
    }

    boolean isDone() {
        return outcome != null;
    }

    /** Sets the outcome (first one wins) and drops the input record. */
    void complete(Outcome o) {
        if (outcome == null) {
            outcome = o;
            record = null;
        }
    }

    /** The running pipeline work, disposed if the slot is cancelled. */
    void work(Disposable d) {
        work = d;
        if (cancelled) {
            d.dispose();
        }
    }

    /** Cancels the work (its result, if one still arrives, is dropped with the slot). */
    void cancel() {
        cancelled = true;
        Disposable d = work;
        if (d != null) {
            d.dispose();
        }
        record = null;
    }
}
