package dev.jacflux.service.kafka;

import dev.jacflux.kafka.WorkerStatus;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The in-service Kafka worker as the health component {@code kafka}: its state, the input
 * partitions it owns and, per partition, the records not yet answered (behind the log end plus in
 * flight), with its counters. UP while RUNNING; DOWN when FAILED (with the one-line reason);
 * UNKNOWN while connecting (it does not make the service DOWN); OUT_OF_SERVICE while stopping and
 * once stopped. (No broker addresses: health is public.)
 *
 * <pre>{@code
 * "kafka": {"status": "UP", "details": {"state": "RUNNING", "workerId": "host-1a2b3c", "group": "jacflux",
 *     "inputTopic": "batches", "outputTopic": "results", "assignment": ["batches-0", "batches-1"],
 *     "lag": {"batches-0": 0, "batches-1": 3}, "totalLag": 3, "inFlight": 3, "paused": false,
 *     "consumed": 120, "results": 115, "failures": 2, "transactions": 31, "aborted": 0, "rebalances": 1}}
 * }</pre>
 */
public final class KafkaWorkerHealthIndicator implements HealthIndicator {
    private final Supplier<WorkerStatus> status;
    private final String group;
    private final String inputTopic;
    private final String outputTopic;

    /** An indicator of the worker whose status {@code status} gives. */
    public KafkaWorkerHealthIndicator(Supplier<WorkerStatus> status, String group, String inputTopic, String outputTopic) {
        this.status = status;
        this.group = group;
        this.inputTopic = inputTopic;
        this.outputTopic = outputTopic;
    }

    @Override
    public Health health() {
        WorkerStatus s = status.get();
        Health.Builder h = switch (s.state()) {
            case RUNNING -> Health.up();
            case FAILED -> Health.down().withDetail("failure", s.failure() == null ? "unknown" : s.failure());
            case CREATED, STARTING -> Health.unknown();
            case STOPPING, STOPPED -> Health.outOfService();
        };
        Map<String, Long> lag = new TreeMap<>();
        s.lag().forEach((tp, n) -> lag.put(name(tp), n));
        return h.withDetail("state", s.state().name())
                .withDetail("workerId", s.workerId())
                .withDetail("group", group)
                .withDetail("inputTopic", inputTopic)
                .withDetail("outputTopic", outputTopic)
                .withDetail("assignment", s.assignment().stream().map(KafkaWorkerHealthIndicator::name).sorted().toList())
                .withDetail("lag", lag)
                .withDetail("totalLag", s.totalLag())
                .withDetail("inFlight", s.inFlight())
                .withDetail("paused", s.paused())
                .withDetail("consumed", s.consumed())
                .withDetail("results", s.results())
                .withDetail("failures", s.failures())
                .withDetail("transactions", s.transactions())
                .withDetail("aborted", s.aborted())
                .withDetail("rebalances", s.rebalances())
                .build();
    }

    private static String name(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }
}
