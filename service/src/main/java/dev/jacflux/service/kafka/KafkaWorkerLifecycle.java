package dev.jacflux.service.kafka;

import dev.jacflux.kafka.KafkaWorker;
import dev.jacflux.kafka.WorkerState;
import dev.jacflux.kafka.WorkerStatus;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The in-service {@link KafkaWorker} as a Spring life cycle: it starts once the application
 * context is refreshed (every bean ready, the web server listening: the last phase) and stops
 * first when the context closes, gracefully: the records in flight are finished and committed,
 * then the worker leaves its group, before the web server and the other beans stop. A worker that
 * fails later (fenced, an unrecoverable client error) stays FAILED; the {@code kafka} health
 * component shows it DOWN.
 *
 * <pre>{@code
 * KafkaWorkerLifecycle lifecycle = context.getBean(KafkaWorkerLifecycle.class);
 * lifecycle.status().state();   // RUNNING
 * context.close();              // waits for the graceful stop
 * }</pre>
 */
public final class KafkaWorkerLifecycle implements SmartLifecycle, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaWorkerLifecycle.class);
    /** Closing the clients after the last commit: leaving the group, flushing the producer. */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(35);

    private final KafkaWorker worker;
    private volatile boolean started;

    /** A life cycle for {@code worker} (not started yet). */
    public KafkaWorkerLifecycle(KafkaWorker worker) {
        this.worker = worker;
    }

    /** The worker. */
    public KafkaWorker worker() {
        return worker;
    }

    /** The worker's state, assignment, lag and counters. */
    public WorkerStatus status() {
        return worker.status();
    }

    /**
     * Starts the worker's polling thread; it connects in the background.
     *
     * @throws org.apache.kafka.common.KafkaException if the clients refuse their configuration
     */
    @Override
    public void start() {
        if (started) {
            return;
        }
        worker.start();
        started = true;
        LOG.info("kafka worker {}: group {}, {} -> {}, threads {}, max in flight {}", worker.config().workerId(), worker.config().groupId(),
                worker.config().inputTopic(), worker.config().outputTopic(), worker.config().pipeline().parallelism(),
                worker.config().maxInFlight());
    }

    /** Asks for a graceful stop and calls {@code callback} once the worker has stopped (or failed), on another thread. */
    @Override
    public void stop(Runnable callback) {
        if (!started || worker.state().isTerminal()) {
            callback.run();
            return;
        }
        worker.stop();
        Thread waiter = new Thread(() -> {
            try {
                awaitStop();
            } finally {
                callback.run();
            }
        }, "jacflux-kafka-stop");
        waiter.setDaemon(true);
        waiter.start();
    }

    /** Stops gracefully and waits. */
    @Override
    public void stop() {
        if (started) {
            worker.stop();
            awaitStop();
        }
    }

    private void awaitStop() {
        Duration limit = worker.config().shutdownTimeout().plus(CLOSE_MARGIN);
        try {
            if (!worker.awaitTermination(limit)) {
                LOG.warn("kafka worker {}: not stopped after {} s; the records still in flight are processed again by the partitions'"
                        + " next owner", worker.config().workerId(), limit.toSeconds());
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        WorkerStatus s = worker.status();
        LOG.info("kafka worker {}: {}; consumed {}, results {}, failures {}, transactions {}, aborted {}", s.workerId(),
                s.state().name().toLowerCase(java.util.Locale.ROOT), s.consumed(), s.results(), s.failures(), s.transactions(),
                s.aborted());
        if (s.state() == WorkerState.FAILED) {
            LOG.warn("kafka worker {} had failed: {}", s.workerId(), s.failure());
        }
    }

    /** Running from {@link #start()} until the worker has stopped or failed. */
    @Override
    public boolean isRunning() {
        return started && !worker.state().isTerminal();
    }

    /** The last phase: started after the web server, stopped before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    /** Closes a worker the life cycle did not stop (a context whose refresh failed after the start). */
    @Override
    public void destroy() {
        if (!worker.state().isTerminal()) {
            worker.close();
        }
    }
}
