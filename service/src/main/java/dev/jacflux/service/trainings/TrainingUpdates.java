package dev.jacflux.service.trainings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link TrainingFeed} of the service: trainings {@link #publish} their updates here. The
 * latest update per training and the set of subscribers change under one lock, so a new subscriber
 * gets each training's latest update exactly once and then every later one, with no gap and no
 * repeat. Publishing only enqueues: each subscriber is served on {@code delivery}, never on the
 * publishing (training) thread.
 *
 * <pre>{@code
 * TrainingUpdates hub = new TrainingUpdates(Schedulers.boundedElastic());
 * hub.publish(update);                       // from a training
 * hub.updates().subscribe(dashboard::show);  // latest of each, then live
 * }</pre>
 */
public final class TrainingUpdates implements TrainingFeed {
    private final Object lock = new Object();
    private final Map<String, TrainingUpdate> latest = new LinkedHashMap<>();
    private final Set<FluxSink<TrainingUpdate>> subscribers = new CopyOnWriteArraySet<>();
    private final Scheduler delivery;

    /** A hub delivering to subscribers on {@code delivery}. */
    public TrainingUpdates(Scheduler delivery) {
        this.delivery = delivery;
    }

    /** A hub delivering on bounded-elastic threads. */
    public TrainingUpdates() {
        this(Schedulers.boundedElastic());
    }

    /** Records {@code u} as its training's latest update and hands it to every subscriber. */
    public void publish(TrainingUpdate u) {
        synchronized (lock) {
            latest.put(u.id(), u);
            for (FluxSink<TrainingUpdate> s : subscribers) {
                s.next(u);
            }
        }
    }

    /** Forgets a training (no update is sent for that). */
    public void forget(String id) {
        synchronized (lock) {
            latest.remove(id);
        }
    }

    @Override
    public Flux<TrainingUpdate> updates() {
        return Flux.<TrainingUpdate>create(sink -> {
            synchronized (lock) {
                for (TrainingUpdate u : latest.values()) {
                    sink.next(u);
                }
                subscribers.add(sink);
            }
            sink.onDispose(() -> subscribers.remove(sink));
        }, FluxSink.OverflowStrategy.IGNORE)
                .onBackpressureBuffer(BUFFER, dropped -> { }, BufferOverflowStrategy.DROP_OLDEST)
                .publishOn(delivery);
    }

    @Override
    public List<TrainingUpdate> latest() {
        synchronized (lock) {
            return List.copyOf(new ArrayList<>(latest.values()));
        }
    }

    /** The latest update of one training, or null. */
    public TrainingUpdate latest(String id) {
        synchronized (lock) {
            return latest.get(id);
        }
    }
}
