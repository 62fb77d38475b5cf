package dev.jacflux.service.kafka;

import dev.jacflux.config.ConfigException;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.kafka.KafkaClients;
import dev.jacflux.kafka.KafkaWorker;
import dev.jacflux.kafka.WorkerConfig;
import dev.jacflux.kafka.WorkerMetrics;
import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.service.models.ModelStore;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The Kafka worker inside the service, present only when a {@code jacflux.kafka.*} property is set
 * ({@link KafkaConfigured}; otherwise this class is skipped while the classpath is scanned and
 * nothing of Kafka is loaded). Its beans:
 * <ul>
 *   <li>{@link WorkerMetrics} {@code kafkaWorkerMetrics}: a {@code MeterBinder}, so the worker's
 *       {@code jacflux.kafka.*} meters appear on {@code /actuator/prometheus};</li>
 *   <li>{@link KafkaWorkerLifecycle} {@code kafkaWorker}: the worker, reading models from the
 *       service's model store and reporting its batches to every {@link PipelineListener} bean (so
 *       they count in the {@code jacflux_*} pipeline meters too); started after the context is
 *       ready, stopped gracefully first on shutdown;</li>
 *   <li>{@link KafkaWorkerHealthIndicator} {@code kafkaHealthIndicator}: the health component
 *       {@code kafka}.</li>
 * </ul>
 *
 * <pre>{@code
 * java -jar jacflux-service.jar --jacflux.kafka.bootstrap-servers=kafka-1:9092 --jacflux.kafka.group=jacflux \
 *     --jacflux.kafka.input-topic=batches --jacflux.kafka.output-topic=results
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
@Conditional(KafkaConfigured.class)
public class KafkaWorkerConfiguration {
    private static final Pattern KAFKA_KEY = Pattern.compile("for configuration ([^\\s:]+)");

    /** The worker's meters, bound by Boot to the application's registry. */
    @Bean
    WorkerMetrics kafkaWorkerMetrics() {
        return new WorkerMetrics();
    }

    /** The worker, its configuration checked (an invalid Kafka client property fails the start naming its key). */
    @Bean
    KafkaWorkerLifecycle kafkaWorker(KafkaWorkerProperties properties, ModelStore store, PipelineConfig pipeline, WorkerMetrics metrics,
            ObjectProvider<PipelineListener> listeners) {
        WorkerConfig config = workerConfig(properties, store, pipeline);
        PipelineListener[] all = listeners.orderedStream().toArray(PipelineListener[]::new);
        return new KafkaWorkerLifecycle(KafkaWorker.create(config, metrics.listener(),
                all.length == 1 ? all[0] : PipelineListener.composite(all)));
    }

    /** The health component {@code kafka}. */
    @Bean
    KafkaWorkerHealthIndicator kafkaHealthIndicator(KafkaWorkerLifecycle worker, KafkaWorkerProperties properties) {
        return new KafkaWorkerHealthIndicator(worker::status, properties.group(), properties.inputTopic(), properties.outputTopic());
    }

    /**
     * The worker's configuration: the properties, the model store's directory, and the service's
     * pipeline configuration with {@code jacflux.kafka.threads} rails.
     *
     * @throws ConfigException naming the {@code jacflux.kafka.*} key of an invalid value
     */
    static WorkerConfig workerConfig(KafkaWorkerProperties p, ModelStore store, PipelineConfig pipeline) {
        PipelineConfig.Builder b = pipeline.toBuilder();
        if (p.threads() != null) {
            b.parallelism(p.threads()).chunksInFlight(2 * p.threads()).batchesInFlight(Math.max(pipeline.batchesInFlight(), p.threads()));
        }
        WorkerConfig.Builder w = WorkerConfig.builder()
                .bootstrapServers(p.bootstrapServers())
                .groupId(p.group())
                .inputTopic(p.inputTopic())
                .outputTopic(p.outputTopic())
                .modelsDir(store.directory())
                .pipeline(b.build())
                .maxInFlight(p.maxInFlight())
                .shutdownTimeout(p.shutdownTimeout())
                .clientProperties(p.properties());
        if (p.workerId() != null) {
            w.workerId(p.workerId());
        }
        WorkerConfig config;
        try {
            config = w.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(KafkaConfigured.PREFIX, KafkaConfigured.PREFIX + ": " + e.getMessage(), e);
        }
        validate(() -> ConsumerConfig.configDef().parse(KafkaClients.consumer(config)), p, "consumer");
        validate(() -> ProducerConfig.configDef().parse(KafkaClients.producer(config)), p, "producer");
        return config;
    }

    /** Runs Kafka's own check of one client's properties, naming our key if it fails. */
    private static void validate(Runnable parse, KafkaWorkerProperties p, String client) {
        try {
            parse.run();
        } catch (org.apache.kafka.common.config.ConfigException e) {
            String key = keyOf(e.getMessage(), p.properties(), client);
            throw new ConfigException(key, key + ": the Kafka " + client + " refuses it: " + e.getMessage(), e);
        }
    }

    /** The {@code jacflux.kafka.properties.*} key behind a Kafka configuration error ("Invalid value x for configuration y: ..."). */
    static String keyOf(String message, Map<String, String> properties, String client) {
        Matcher m = KAFKA_KEY.matcher(message == null ? "" : message);
        if (m.find()) {
            String name = m.group(1);
            for (String key : new String[] {client + "." + name, name}) {
                if (properties.containsKey(key)) {
                    return KafkaConfigured.PREFIX + ".properties." + key;
                }
            }
        }
        return KafkaConfigured.PREFIX + ".properties";
    }
}
