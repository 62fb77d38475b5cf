package dev.jacflux.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka worker's {@link MeterBinder}: publishes the {@link WorkerMeter}s to every registry it
 * is bound to; hand {@link #listener()} to the worker. Lag gauges appear per owned partition and
 * are removed when the partition goes. With Spring Boot Actuator a bean of this type is bound to
 * the application's registry.
 *
 * <pre>{@code
 * WorkerMetrics metrics = new WorkerMetrics(Tags.of("worker", config.workerId()));
 * metrics.bindTo(prometheusRegistry);
 * KafkaWorker worker = KafkaWorker.create(config, metrics.listener(), jacfluxMetrics.listener());
 * }</pre>
 */
public final class WorkerMetrics implements MeterBinder {
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final Tags common;
    private final Map<TopicPartition, Lag> lags = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger paused = new AtomicInteger();
    private final WorkerListener listener = new Listener();
    private volatile Meters meters;

    /** Metrics without extra tags. */
    public WorkerMetrics() {
        this(Tags.empty());
    }

    /** Metrics adding {@code commonTags} to every meter. */
    public WorkerMetrics(Iterable<Tag> commonTags) {
        this.common = Tags.of(commonTags);
    }

    /** The fixed meters, created on the first binding or event (so that a registry bound first sees them from the start). */
    private Meters meters() {
        Meters m = meters;
        if (m == null) {
            synchronized (this) {
                if (meters == null) {
                    meters = new Meters();
                }
                m = meters;
            }
        }
        return m;
    }

    /** Publishes the meters to {@code registry} too. */
    @Override
    public void bindTo(MeterRegistry target) {
        registry.add(target);
        meters();
    }

    /** The listener to hand to {@link KafkaWorker#create(WorkerConfig, WorkerListener, dev.jacflux.pipeline.PipelineListener)}. */
    public WorkerListener listener() {
        return listener;
    }

    private Counter counter(WorkerMeter m, Tags tags) {
        return Counter.builder(m.meterName()).description(m.description()).baseUnit(unit(m)).tags(common).tags(tags).register(registry);
    }

    private Gauge gauge(WorkerMeter m, Tags tags, Number value) {
        return Gauge.builder(m.meterName(), value, Number::doubleValue).description(m.description()).baseUnit(unit(m))
                .tags(common).tags(tags).register(registry);
    }

    /** The meter's base unit, or null for none (an empty unit would end a Prometheus name with '_'). */
    private static String unit(WorkerMeter m) {
        return m.baseUnit().isEmpty() ? null : m.baseUnit();
    }

    /** The meters every worker has. */
    private final class Meters {
        private final Counter consumed = counter(WorkerMeter.RECORDS_CONSUMED, Tags.empty());
        private final Timer commit = Timer.builder(WorkerMeter.TRANSACTION_COMMIT.meterName())
                .description(WorkerMeter.TRANSACTION_COMMIT.description()).tags(common).register(registry);
        private final Counter aborted = counter(WorkerMeter.TRANSACTIONS_ABORTED, Tags.empty());
        private final Map<String, Counter> results = new ConcurrentHashMap<>();
        private final Map<WorkerFailureReason, Counter> failures = new EnumMap<>(WorkerFailureReason.class);
        private final Map<String, Counter> rebalances = new ConcurrentHashMap<>();

        Meters() {
            for (WorkerFailureReason r : WorkerFailureReason.values()) {
                failures.put(r, counter(WorkerMeter.FAILURES, Tags.of("reason", r.tagValue())));
            }
            for (WorkerJob j : WorkerJob.values()) {
                results.put(j.headerValue(), counter(WorkerMeter.RESULTS_PRODUCED, Tags.of("job", j.headerValue())));
            }
            for (String kind : new String[] {"assigned", "revoked", "lost"}) {
                rebalances.put(kind, counter(WorkerMeter.REBALANCES, Tags.of("kind", kind)));
            }
            gauge(WorkerMeter.IN_FLIGHT, Tags.empty(), inFlight);
            gauge(WorkerMeter.PAUSED, Tags.empty(), paused);
        }
    }

    /** One partition's lag gauge. */
    private record Lag(AtomicLong value, Meter gauge) {
    }

    private final class Listener implements WorkerListener {
        @Override
        public void recordsConsumed(int count) {
            meters().consumed.increment(count);
        }

        @Override
        public void resultCommitted(String job) {
            meters().results.computeIfAbsent(job, j -> counter(WorkerMeter.RESULTS_PRODUCED, Tags.of("job", j))).increment();
        }

        @Override
        public void failureCommitted(WorkerFailureReason reason) {
            meters().failures.get(reason).increment();
        }

        @Override
        public void transactionCommitted(int records, Duration elapsed) {
            meters().commit.record(elapsed);
        }

        @Override
        public void transactionAborted(String cause) {
            meters().aborted.increment();
        }

        @Override
        public void partitionsAssigned(Collection<TopicPartition> added, Collection<TopicPartition> now) {
            meters().rebalances.get("assigned").increment();
        }

        @Override
        public void partitionsRevoked(Collection<TopicPartition> revoked, Collection<TopicPartition> now) {
            meters().rebalances.get("revoked").increment();
        }

        @Override
        public void partitionsLost(Collection<TopicPartition> lost, Collection<TopicPartition> now) {
            meters().rebalances.get("lost").increment();
        }

        @Override
        public void lagUpdated(TopicPartition partition, long lag) {
            meters();
            lags.computeIfAbsent(partition, tp -> {
                AtomicLong v = new AtomicLong();
                Meter g = gauge(WorkerMeter.CONSUMER_LAG, Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition())), v);
                return new Lag(v, g);
            }).value().set(lag);
        }

        @Override
        public void partitionReleased(TopicPartition partition) {
            Lag l = lags.remove(partition);
            if (l != null) {
                registry.remove(l.gauge());
            }
        }

        @Override
        public void inFlightChanged(int records, boolean isPaused) {
            inFlight.set(records);
            paused.set(isPaused ? 1 : 0);
        }
    }
}
