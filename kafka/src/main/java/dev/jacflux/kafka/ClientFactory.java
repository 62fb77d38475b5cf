package dev.jacflux.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/** Creates the worker's Kafka clients (the real ones; tests may substitute mocks). */
interface ClientFactory {
    /** The real clients. */
    ClientFactory KAFKA = new ClientFactory() {
        @Override
        public Consumer<byte[], byte[]> consumer(Map<String, Object> properties) {
            return new KafkaConsumer<>(properties);
        }

        @Override
        public Producer<byte[], byte[]> producer(Map<String, Object> properties) {
            return new KafkaProducer<>(properties);
        }
    };

    Consumer<byte[], byte[]> consumer(Map<String, Object> properties);

    Producer<byte[], byte[]> producer(Map<String, Object> properties);
}
