package dev.jacflux.kafka;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What the worker produces for one input record: a result (value = the result {@code .npy}) or a
 * failure ({@code failure} set, empty value, {@code jacflux-error} header).
 *
 * @param key the input record's key (the batch id), unchanged
 * @param value the result {@code .npy} bytes, or empty for a failure
 * @param headers the output headers
 * @param job the job's header value, or null if the record named none
 * @param failure the failure reason, or null for a result
 */
record Outcome(byte[] key, byte[] value, List<Header> headers, String job, WorkerFailureReason failure) {

    /** Whether this is a failure record. */
    boolean isFailure() {
        return failure != null;
    }

    /** The record to send to {@code topic} (partitioned by key). */
    ProducerRecord<byte[], byte[]> toRecord(String topic) {
        return new ProducerRecord<>(topic, null, key, value, headers);
    }
}
