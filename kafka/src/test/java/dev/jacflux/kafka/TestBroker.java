package dev.jacflux.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One in-process KRaft broker per test JVM (started on first use, stopped at exit), set up for
 * transactions on a single broker, with helpers to produce inputs and read committed outputs.
 */
public final class TestBroker {
    private static EmbeddedKafkaKraftBroker broker;

    private TestBroker() {
    }

    /** The broker's {@code host:port}, starting it on first use. */
    public static synchronized String bootstrap() {
        if (broker == null) {
            EmbeddedKafkaKraftBroker b = new EmbeddedKafkaKraftBroker(1, 1);
            Map<String, String> p = new HashMap<>();
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "4");
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "4");
            p.put("group.initial.rebalance.delay.ms", "0");
            // abort a dead producer's transaction soon after its timeout (default: checked every 10 s)
            p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500");
            p.put("message.max.bytes", Integer.toString(4 << 20));
            b.brokerProperties(p);
            b.afterPropertiesSet();
            broker = b;
            Runtime.getRuntime().addShutdownHook(new Thread(b::destroy, "test-broker-stop"));
        }
        return broker.getBrokersAsString();
    }

    /** Creates a topic. */
    public static void topic(String name, int partitions) {
        bootstrap();
        broker.addTopics(new NewTopic(name, partitions, (short) 1));
    }

    /** A plain (idempotent, not transactional) producer of byte arrays. */
    public static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        return new KafkaProducer<>(p);
    }

    /** Sends the records and waits for every acknowledgement. */
    public static void send(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(p.send(r));
            }
            for (java.util.concurrent.Future<?> f : acks) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("producing test records failed", e);
        }
    }

    /** A read_committed consumer assigned to every partition of {@code topic}, from the beginning. */
    public static KafkaConsumer<byte[], byte[]> committedReader(String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 << 20));
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo info : c.partitionsFor(topic)) {
            tps.add(new TopicPartition(topic, info.partition()));
        }
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    /**
     * Reads committed records of {@code topic} until {@code done} holds for what was read (or the
     * timeout passes), then on to the end of every partition, so that extra records are seen too.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = committedReader(topic)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    /** A header's value as text, or null. */
    public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The record key as text. */
    public static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }
}
