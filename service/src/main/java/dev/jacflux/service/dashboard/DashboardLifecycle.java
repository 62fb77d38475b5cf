package dev.jacflux.service.dashboard;

import dev.jacflux.service.trainings.TrainingFeed;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Starts the dashboard's ticks (and its subscription to the training updates, when the service has
 * trainings) with the application, and stops them first when it stops: the open event streams end,
 * so a graceful shutdown does not wait for pages that are still open.
 *
 * <pre>{@code
 * new DashboardLifecycle(stream, board, gauges, feed).start();   // Spring calls start() and stop()
 * }</pre>
 */
public final class DashboardLifecycle implements SmartLifecycle {
    private final DashboardStream stream;
    private final TrainingBoard board;
    private final TrainingFeed feed;
    private final TrainingGauges gauges;
    private Scheduler scheduler;
    private Disposable trainings;
    private volatile boolean running;

    /** A lifecycle for {@code stream}, feeding {@code board} and {@code gauges} from {@code feed} (null: no trainings). */
    public DashboardLifecycle(DashboardStream stream, TrainingBoard board, TrainingGauges gauges, TrainingFeed feed) {
        this.stream = stream;
        this.board = board;
        this.gauges = gauges;
        this.feed = feed;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        scheduler = Schedulers.newSingle("dashboard-ticks", true);
        if (feed != null) {
            trainings = feed.updates().subscribe(u -> {
                board.accept(u);
                gauges.accept(u);
            }, e -> LoggerFactory.getLogger(DashboardLifecycle.class).warn("dashboard: the training updates ended with {}", e.toString()));
        }
        stream.start(scheduler);
        running = true;
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        stream.close();
        if (trainings != null) {
            trainings.dispose();
        }
        scheduler.dispose();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown (which waits for open requests). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
