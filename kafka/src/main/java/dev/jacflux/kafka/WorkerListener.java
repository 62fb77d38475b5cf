package dev.jacflux.kafka;

import java.time.Duration;
import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/**
 * Hook through which the worker reports what it does, so that the worker has no Micrometer calls;
 * {@link WorkerMetrics#listener()} turns the events into meters. Called from the worker's polling
 * thread; implementations must be fast and must not throw. All methods default to doing nothing.
 *
 * <pre>{@code
 * WorkerListener printer = new WorkerListener() {
 *     public void partitionsAssigned(Collection<TopicPartition> added, Collection<TopicPartition> now) {
 *         System.out.println("now owning " + now);
 *     }
 * };
 * }</pre>
 */
public interface WorkerListener {

    /** A listener that ignores every event. */
    WorkerListener NOOP = new WorkerListener() {
    };

    /** A poll returned {@code count} records. */
    default void recordsConsumed(int count) {
    }

    /** A result record of {@code job} was committed. */
    default void resultCommitted(String job) {
    }

    /** A failure record was committed. */
    default void failureCommitted(WorkerFailureReason reason) {
    }

    /** A transaction of {@code records} output records (and their input offsets) committed after {@code elapsed}. */
    default void transactionCommitted(int records, Duration elapsed) {
    }

    /** A transaction was aborted; its input records will be processed again. {@code cause} is one line. */
    default void transactionAborted(String cause) {
    }

    /** Partitions were added to this worker; {@code now} is the whole assignment. */
    default void partitionsAssigned(Collection<TopicPartition> added, Collection<TopicPartition> now) {
    }

    /** Partitions were taken away in a rebalance (their ready results were committed first). */
    default void partitionsRevoked(Collection<TopicPartition> revoked, Collection<TopicPartition> now) {
    }

    /** Partitions were lost (this worker was out of the group; nothing of them was committed). */
    default void partitionsLost(Collection<TopicPartition> lost, Collection<TopicPartition> now) {
    }

    /** The lag of an owned partition (see {@link WorkerStatus#lag()}). */
    default void lagUpdated(TopicPartition partition, long lag) {
    }

    /** A partition is no longer owned: its lag is no longer reported. */
    default void partitionReleased(TopicPartition partition) {
    }

    /** Records in flight changed; {@code paused} tells whether the partitions are paused. */
    default void inFlightChanged(int inFlight, boolean paused) {
    }
}
