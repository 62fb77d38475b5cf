package dev.jacflux.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The worker's consumer and producer settings: exactly-once defaults, then the user's client
 * properties ({@code consumer.}/{@code producer.} prefixed or shared), then what the worker must
 * own (group, manual commits, transactional id, serializers, poll size).
 *
 * <p>Defaults: consumer {@code isolation.level=read_committed}, {@code auto.offset.reset=earliest},
 * cooperative-sticky assignment, {@code session.timeout.ms=10000},
 * {@code heartbeat.interval.ms=3000}; producer {@code acks=all}, idempotence,
 * {@code transaction.timeout.ms=10000} (transactions last one commit interval, so a short timeout
 * lets the partitions of a killed worker move on sooner), {@code linger.ms=5}.
 *
 * <pre>{@code
 * Map<String, Object> c = KafkaClients.consumer(config);
 * Map<String, Object> p = KafkaClients.producer(config);
 * }</pre>
 */
public final class KafkaClients {
    private static final String CONSUMER_PREFIX = "consumer.";
    private static final String PRODUCER_PREFIX = "producer.";

    private KafkaClients() {
    }

    /** The consumer's properties. */
    public static Map<String, Object> consumer(WorkerConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "jacflux-" + config.workerId() + "-consumer");
        putUser(p, config.clientProperties(), CONSUMER_PREFIX, PRODUCER_PREFIX);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** The transactional producer's properties. */
    public static Map<String, Object> producer(WorkerConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "jacflux-" + config.workerId() + "-producer");
        putUser(p, config.clientProperties(), PRODUCER_PREFIX, CONSUMER_PREFIX);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** The producer's {@code max.request.size} (what one result record may take). */
    public static int maxRequestSize(Map<String, Object> producer) {
        Object v = producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return v == null ? 1024 * 1024 : Integer.parseInt(v.toString().trim());
    }

    private static void putUser(Map<String, Object> p, Map<String, String> user, String mine, String other) {
        user.forEach((k, v) -> {
            if (k.startsWith(mine)) {
                p.put(k.substring(mine.length()), v);
            } else if (!k.startsWith(other)) {
                p.put(k, v);
            }
        });
    }
}
