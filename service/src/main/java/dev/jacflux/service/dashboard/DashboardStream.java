package dev.jacflux.service.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The dashboard's live figures over time: once per {@code jacflux.dashboard.interval} a
 * {@link DashboardTick} is made from the pipelines' aggregates, the trainings and the saliency map,
 * kept (the last {@code jacflux.dashboard.history}) and sent to every open stream. A new stream
 * first gets a {@link DashboardSnapshot} with the history, then the ticks. The ticks are made
 * whether or not anyone watches, so a page opened later shows the last minutes.
 *
 * <pre>{@code
 * DashboardStream s = new DashboardStream(properties, aggregates, saliency, trainings, System::currentTimeMillis, false);
 * s.start(Schedulers.single());
 * s.events().subscribe(e -> System.out.println(e.event() + " " + e.data()));   // snapshot, tick, tick, ...
 * }</pre>
 */
public final class DashboardStream implements AutoCloseable {
    private final DashboardProperties properties;
    private final PipelineAggregates pipelines;
    private final SaliencyAggregator saliency;
    private final TrainingBoard trainings;
    private final LongSupplier clock;
    private final boolean tokenRequired;
    private final Sinks.Many<DashboardTick> ticks = Sinks.many().multicast().directBestEffort();
    private final ArrayDeque<LivePoint> history = new ArrayDeque<>();
    private Totals lastTotals;
    private long lastTime;
    private long seq;
    private long saliencyVersion;
    private Disposable timer;

    /**
     * A stream over these sources.
     *
     * @param clock         milliseconds since the epoch
     * @param tokenRequired whether the stream is behind the token (told to the page in the snapshot)
     */
    public DashboardStream(DashboardProperties properties, PipelineAggregates pipelines, SaliencyAggregator saliency, TrainingBoard trainings,
            LongSupplier clock, boolean tokenRequired) {
        this.properties = properties;
        this.pipelines = pipelines;
        this.saliency = saliency;
        this.trainings = trainings;
        this.clock = clock;
        this.tokenRequired = tokenRequired;
        this.lastTotals = pipelines.totals();
        this.lastTime = clock.getAsLong();
    }

    /** Makes a tick every interval on {@code scheduler}. */
    public synchronized void start(Scheduler scheduler) {
        if (timer == null) {
            lastTotals = pipelines.totals();
            lastTime = clock.getAsLong();
            timer = Flux.interval(properties.interval(), properties.interval(), scheduler).subscribe(i -> tick());
        }
    }

    /** Makes one tick now and sends it to every open stream. */
    public synchronized DashboardTick tick() {
        long now = clock.getAsLong();
        Totals totals = pipelines.totals();
        LivePoint point = LivePoint.between(lastTotals, totals, now, (now - lastTime) / 1000.0, pipelines.drainStages());
        lastTotals = totals;
        lastTime = now;
        history.addLast(point);
        while (history.size() > properties.points()) {
            history.removeFirst();
        }
        long v = saliency.version();
        SaliencyMap map = v != saliencyVersion ? saliency.latest().orElse(null) : null;
        saliencyVersion = v;
        DashboardTick t = new DashboardTick(++seq, point, totals, trainings.drainChanged(), map);
        ticks.tryEmitNext(t);   // under the lock: emissions are serial, and a snapshot never falls between a tick and its emission
        return t;
    }

    /** The state now, with the history. */
    public synchronized DashboardSnapshot snapshot() {
        return new DashboardSnapshot(seq, properties.interval().toMillis() / 1000.0, properties.history().toMillis() / 1000.0, tokenRequired,
                new ArrayList<>(history), pipelines.totals(), trainings.all(), saliency.latest().orElse(null));
    }

    /** A snapshot event, then a tick event per interval, until the stream is closed. */
    public Flux<ServerSentEvent<Object>> events() {
        Flux<ServerSentEvent<Object>> live = ticks.asFlux()
                .map(t -> ServerSentEvent.<Object>builder(t).event("tick").id(Long.toString(t.seq())).build());
        return Mono.fromCallable(this::snapshot)
                .map(s -> ServerSentEvent.<Object>builder(s).event("snapshot").id(Long.toString(s.seq())).build())
                .concatWith(live);
    }

    /** The points kept, oldest first. */
    public synchronized List<LivePoint> history() {
        return List.copyOf(history);
    }

    /** Stops the ticks and ends every open stream (so that a graceful shutdown does not wait for open pages). */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.dispose();
        }
        ticks.tryEmitComplete();
    }
}
