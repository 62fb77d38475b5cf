package dev.jacflux.service.kafka;

import dev.jacflux.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Conditional;

/**
 * The in-service Kafka worker's {@code jacflux.kafka.*} properties. Setting any of them starts a
 * worker inside the service (see {@link KafkaConfigured}); then the bootstrap servers, the group
 * and both topics are required, and every value is checked at start, a bad one failing the start
 * with a message naming its key. Models come from the service's model store
 * ({@code <data-dir>/models}, the ids {@code POST /v1/models} answers).
 *
 * <pre>{@code
 * jacflux:
 *   kafka:
 *     bootstrap-servers: kafka-1:9092,kafka-2:9092
 *     group: jacflux
 *     input-topic: batches
 *     output-topic: results
 *     threads: 2
 *     properties:
 *       security.protocol: SASL_SSL
 *       consumer.session.timeout.ms: 10000
 * }</pre>
 *
 * @param bootstrapServers Kafka brokers, host:port[,host:port...].
 * @param group            Consumer group shared by every worker of a deployment (services and bin/jacflux worker alike).
 * @param inputTopic       Topic of input batches (see the README section "Scale-out with Kafka" for the record format).
 * @param outputTopic      Topic of result and failure records; consumers read it with isolation.level=read_committed.
 * @param threads          Compute threads of the worker (its pipeline's rails); default jacflux.parallelism.
 * @param maxInFlight      Records held at once, from poll to committed result; above it the worker pauses its partitions.
 * @param workerId         This worker's id (client id, transactional id, stamped on results); default host name and a random
 *                         suffix. A stable id lets a restarted service abort its predecessor's open transaction at once.
 * @param shutdownTimeout  How long a graceful stop waits for the records in flight before leaving the group; keep it under
 *                         spring.lifecycle.timeout-per-shutdown-phase (30s by default).
 * @param properties       Extra Kafka client properties, e.g. security.protocol=SASL_SSL; keys prefixed consumer. or
 *                         producer. go to one client only.
 */
@ConfigurationProperties(prefix = KafkaConfigured.PREFIX)
@Conditional(KafkaConfigured.class)
public record KafkaWorkerProperties(
        String bootstrapServers,
        String group,
        String inputTopic,
        String outputTopic,
        Integer threads,
        @DefaultValue("32") int maxInFlight,
        String workerId,
        @DefaultValue("20s") Duration shutdownTimeout,
        Map<String, String> properties) {

    private static final Pattern ADDRESS = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s:,\\[\\]]+):([0-9]{1,5})");
    private static final Set<String> RESERVED = Set.of("group.id", "enable.auto.commit", "transactional.id", "max.poll.records",
            "bootstrap.servers");

    /**
     * Checks every value.
     *
     * @throws ConfigException naming the key, the value and what is expected
     */
    public KafkaWorkerProperties {
        bootstrapServers = required(bootstrapServers, "bootstrap-servers", "host:port[,host:port...]");
        group = required(group, "group", "a consumer group id");
        inputTopic = required(inputTopic, "input-topic", "a topic name");
        outputTopic = required(outputTopic, "output-topic", "a topic name");
        for (String address : bootstrapServers.split(",")) {
            var m = ADDRESS.matcher(address.trim());
            if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
                throw invalid("bootstrap-servers", "'" + address.trim() + "' is not host:port; expected host:port[,host:port...]");
            }
        }
        if (inputTopic.equals(outputTopic)) {
            throw invalid("output-topic", "must differ from jacflux.kafka.input-topic, both are '" + inputTopic + "'");
        }
        if (threads != null && (threads < 1 || threads > 256)) {
            throw invalid("threads", "must be between 1 and 256, got " + threads);
        }
        if (maxInFlight < 1) {
            throw invalid("max-in-flight", "must be at least 1, got " + maxInFlight);
        }
        if (workerId != null && workerId.isBlank()) {
            throw invalid("worker-id", "must not be blank; leave it unset for the host name and a random suffix");
        }
        if (shutdownTimeout.isNegative()) {
            throw invalid("shutdown-timeout", "must not be negative, got " + shutdownTimeout);
        }
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        for (String key : properties.keySet()) {
            String bare = key.startsWith("consumer.") ? key.substring(9) : key.startsWith("producer.") ? key.substring(9) : key;
            if (RESERVED.contains(bare)) {
                throw new ConfigException(KafkaConfigured.PREFIX + ".properties." + key, KafkaConfigured.PREFIX + ".properties." + key
                        + ": '" + bare + "' is set by the worker itself" + (bare.equals("bootstrap.servers")
                        ? " from jacflux.kafka.bootstrap-servers" : bare.equals("max.poll.records") ? " from jacflux.kafka.max-in-flight"
                        : bare.equals("group.id") ? " from jacflux.kafka.group" : ""));
            }
        }
    }

    private static String required(String value, String key, String expected) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(KafkaConfigured.PREFIX + "." + key, KafkaConfigured.PREFIX + "." + key + " is missing; expected "
                    + expected + " (the in-service Kafka worker starts because a jacflux.kafka.* property is set, and needs"
                    + " jacflux.kafka.bootstrap-servers, group, input-topic and output-topic)");
        }
        return value.trim();
    }

    private static ConfigException invalid(String key, String what) {
        return new ConfigException(KafkaConfigured.PREFIX + "." + key, KafkaConfigured.PREFIX + "." + key + " " + what);
    }
}
