package dev.jacflux.kafka;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A snapshot of a {@link KafkaWorker}, safe to read from any thread (what a health endpoint shows).
 *
 * <pre>{@code
 * WorkerStatus s = worker.status();
 * System.out.println(s.state() + " lag " + s.totalLag() + " on " + s.assignment());
 * }</pre>
 *
 * @param state the life-cycle state
 * @param workerId the worker's id
 * @param assignment the input partitions this worker owns
 * @param lag per owned partition, records not yet answered: behind the log end (as of the last
 *            fetch) plus those in flight; partitions whose end is not known yet are absent
 * @param inFlight records polled and not yet committed
 * @param paused whether the partitions are paused (the in-flight bound is reached, or stopping)
 * @param consumed records polled since start
 * @param results result records committed since start
 * @param failures failure records committed since start
 * @param transactions transactions committed since start
 * @param transactionNanos time spent in committed transactions since start (begin to commit)
 * @param aborted transactions aborted since start (their records are processed again)
 * @param rebalances partition assignments, revocations and losses since start
 * @param failure why the worker failed, or null
 */
public record WorkerStatus(
        WorkerState state,
        String workerId,
        Set<TopicPartition> assignment,
        Map<TopicPartition, Long> lag,
        int inFlight,
        boolean paused,
        long consumed,
        long results,
        long failures,
        long transactions,
        long transactionNanos,
        long aborted,
        long rebalances,
        String failure) {

    public WorkerStatus {
        assignment = Set.copyOf(assignment);
        lag = Map.copyOf(lag);
    }

    /** The sum of {@link #lag()} over the owned partitions. */
    public long totalLag() {
        return lag.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The mean time of a committed transaction in milliseconds (0 before the first). */
    public double meanTransactionMillis() {
        return transactions == 0 ? 0 : transactionNanos / 1e6 / transactions;
    }

    /** The status of a worker that has not started. */
    static WorkerStatus initial(String workerId) {
        return new WorkerStatus(WorkerState.CREATED, workerId, Set.of(), Map.of(), 0, false, 0, 0, 0, 0, 0, 0, 0, null);
    }
}
