package dev.jacflux.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The worker's meters follow its listener events; lag gauges come and go with the partitions. */
class WorkerMetricsTest {
    @Test
    void eventsBecomeTheNamedMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = new WorkerMetrics(Tags.of("worker", "w1"));
        metrics.bindTo(registry);
        WorkerListener l = metrics.listener();
        TopicPartition p0 = new TopicPartition("in", 0);
        TopicPartition p1 = new TopicPartition("in", 1);

        l.partitionsAssigned(List.of(p0, p1), List.of(p0, p1));
        l.recordsConsumed(5);
        l.resultCommitted("grads");
        l.resultCommitted("grads");
        l.failureCommitted(WorkerFailureReason.NOT_NPY);
        l.transactionCommitted(3, Duration.ofMillis(40));
        l.transactionAborted("generation changed");
        l.lagUpdated(p0, 17);
        l.lagUpdated(p1, 4);
        l.inFlightChanged(6, true);

        assertEquals(5, registry.get("jacflux.kafka.records.consumed").tag("worker", "w1").counter().count());
        assertEquals(2, registry.get("jacflux.kafka.results.produced").tag("job", "grads").counter().count());
        assertEquals(0, registry.get("jacflux.kafka.results.produced").tag("job", "norms").counter().count());
        assertEquals(1, registry.get("jacflux.kafka.failures").tag("reason", "not-npy").counter().count());
        assertEquals(0, registry.get("jacflux.kafka.failures").tag("reason", "unknown-model").counter().count());
        assertEquals(1, registry.get("jacflux.kafka.transaction.commit").timer().count());
        assertEquals(40, registry.get("jacflux.kafka.transaction.commit").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS));
        assertEquals(1, registry.get("jacflux.kafka.transactions.aborted").counter().count());
        assertEquals(1, registry.get("jacflux.kafka.rebalances").tag("kind", "assigned").counter().count());
        assertEquals(17, registry.get("jacflux.kafka.consumer.lag").tags("topic", "in", "partition", "0").gauge().value());
        assertEquals(4, registry.get("jacflux.kafka.consumer.lag").tags("topic", "in", "partition", "1").gauge().value());
        assertEquals(6, registry.get("jacflux.kafka.inflight.records").gauge().value());
        assertEquals(1, registry.get("jacflux.kafka.paused").gauge().value());

        l.partitionsRevoked(List.of(p1), List.of(p0));
        l.partitionReleased(p1);
        l.lagUpdated(p0, 3);
        assertEquals(1, registry.get("jacflux.kafka.rebalances").tag("kind", "revoked").counter().count());
        assertEquals(3, registry.get("jacflux.kafka.consumer.lag").tags("partition", "0").gauge().value());
        assertNull(registry.find("jacflux.kafka.consumer.lag").tags("partition", "1").gauge(), "a released partition's lag is gone");
    }
}
