package dev.jacflux.kafka;

/**
 * The life of a {@link KafkaWorker}: {@code CREATED -> STARTING -> RUNNING -> STOPPING -> STOPPED},
 * or {@code FAILED} from any of the running states (a fenced producer, an unrecoverable client
 * error, a failure to connect while starting).
 *
 * <pre>{@code
 * if (worker.state() == WorkerState.FAILED) {
 *     System.err.println(worker.status().failure());
 * }
 * }</pre>
 */
public enum WorkerState {
    /** Built, not started. */
    CREATED,
    /** Connecting: initialising transactions, joining the group. */
    STARTING,
    /** Consuming and producing. */
    RUNNING,
    /** A graceful stop is finishing the records in flight. */
    STOPPING,
    /** Stopped; clients closed. */
    STOPPED,
    /** Stopped by an error; clients closed. */
    FAILED;

    /** Whether the worker has ended (stopped or failed). */
    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}
