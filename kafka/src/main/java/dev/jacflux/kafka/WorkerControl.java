package dev.jacflux.kafka;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** What the worker's facade and its polling thread share: the state, the stop request, the last status. */
final class WorkerControl {
    private final AtomicReference<WorkerState> state = new AtomicReference<>(WorkerState.CREATED);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile WorkerStatus status;
    private volatile String failure;

    WorkerControl(String workerId) {
        this.status = WorkerStatus.initial(workerId);
    }

    WorkerState state() {
        return state.get();
    }

    boolean transition(WorkerState from, WorkerState to) {
        return state.compareAndSet(from, to);
    }

    void state(WorkerState s) {
        state.set(s);
    }

    void requestStop() {
        stopRequested = true;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    void fail(String message) {
        failure = message;
        state.set(WorkerState.FAILED);
    }

    void publish(WorkerStatus s) {
        status = s;
    }

    /** The last status with the current state and failure. */
    WorkerStatus status() {
        WorkerStatus s = status;
        return new WorkerStatus(state.get(), s.workerId(), s.assignment(), s.lag(), s.inFlight(), s.paused(), s.consumed(), s.results(),
                s.failures(), s.transactions(), s.transactionNanos(), s.aborted(), s.rebalances(), failure);
    }

    void terminated() {
        terminated.countDown();
    }

    CountDownLatch termination() {
        return terminated;
    }
}
