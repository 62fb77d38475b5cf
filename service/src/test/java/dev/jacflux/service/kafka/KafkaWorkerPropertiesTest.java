package dev.jacflux.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.ConfigException;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.kafka.WorkerConfig;
import dev.jacflux.service.JacFluxServiceApplication;
import dev.jacflux.service.models.ModelStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** {@code jacflux.kafka.*}: when the worker exists, and every bad value naming its key, at binding and at start. */
class KafkaWorkerPropertiesTest {
    @TempDir
    Path data;

    private static KafkaWorkerProperties props(String bootstrap, String group, String in, String out, Integer threads, int maxInFlight,
            String workerId, Duration shutdown, Map<String, String> client) {
        return new KafkaWorkerProperties(bootstrap, group, in, out, threads, maxInFlight, workerId, shutdown, client);
    }

    private static KafkaWorkerProperties good(Map<String, String> client) {
        return props("kafka-1:9092, [::1]:9093", "g", "in", "out", null, 32, null, Duration.ofSeconds(20), client);
    }

    @Test
    void everyBadValueNamesItsKey() {
        record Case(Runnable build, String key, String fragment) {
        }
        Duration d = Duration.ofSeconds(1);
        Case[] cases = {
            new Case(() -> props(null, "g", "in", "out", null, 32, null, d, null), "jacflux.kafka.bootstrap-servers", "is missing"),
            new Case(() -> props("h:1", " ", "in", "out", null, 32, null, d, null), "jacflux.kafka.group", "is missing"),
            new Case(() -> props("h:1", "g", null, "out", null, 32, null, d, null), "jacflux.kafka.input-topic", "is missing"),
            new Case(() -> props("h:1", "g", "in", "", null, 32, null, d, null), "jacflux.kafka.output-topic", "is missing"),
            new Case(() -> props("kafka-1", "g", "in", "out", null, 32, null, d, null), "jacflux.kafka.bootstrap-servers",
                    "'kafka-1' is not host:port"),
            new Case(() -> props("h:1,h:99999", "g", "in", "out", null, 32, null, d, null), "jacflux.kafka.bootstrap-servers",
                    "'h:99999' is not host:port"),
            new Case(() -> props("h:1", "g", "t", "t", null, 32, null, d, null), "jacflux.kafka.output-topic",
                    "must differ from jacflux.kafka.input-topic"),
            new Case(() -> props("h:1", "g", "in", "out", 0, 32, null, d, null), "jacflux.kafka.threads", "between 1 and 256, got 0"),
            new Case(() -> props("h:1", "g", "in", "out", null, 0, null, d, null), "jacflux.kafka.max-in-flight", "at least 1, got 0"),
            new Case(() -> props("h:1", "g", "in", "out", null, 32, " ", d, null), "jacflux.kafka.worker-id", "must not be blank"),
            new Case(() -> props("h:1", "g", "in", "out", null, 32, null, Duration.ofSeconds(-1), null), "jacflux.kafka.shutdown-timeout",
                    "must not be negative"),
            new Case(() -> props("h:1", "g", "in", "out", null, 32, null, d, Map.of("consumer.group.id", "x")),
                    "jacflux.kafka.properties.consumer.group.id", "set by the worker itself from jacflux.kafka.group"),
            new Case(() -> props("h:1", "g", "in", "out", null, 32, null, d, Map.of("max.poll.records", "5")),
                    "jacflux.kafka.properties.max.poll.records", "from jacflux.kafka.max-in-flight")};
        for (Case c : cases) {
            ConfigException e = assertThrows(ConfigException.class, c.build::run, c.key);
            assertEquals(c.key, e.key());
            assertThat(e.getMessage()).startsWith(c.key).contains(c.fragment).doesNotContain("\n");
        }
    }

    @Test
    void goodValuesAreKeptAndTheWorkerConfigurationFollowsThem() {
        KafkaWorkerProperties p = props(" h1:9092,h2:9092 ", "g", "in", "out", 3, 8, "svc-1", Duration.ofSeconds(5),
                Map.of("consumer.session.timeout.ms", "6000", "security.protocol", "PLAINTEXT"));
        assertEquals("h1:9092,h2:9092", p.bootstrapServers());
        PipelineConfig base = PipelineConfig.builder().parallelism(1).build();
        WorkerConfig w = KafkaWorkerConfiguration.workerConfig(p, new ModelStore(data), base);
        assertEquals(3, w.pipeline().parallelism());
        assertEquals(6, w.pipeline().chunksInFlight());
        assertEquals(base.memoryBudgetBytes(), w.pipeline().memoryBudgetBytes());
        assertEquals(8, w.maxInFlight());
        assertEquals("svc-1", w.workerId());
        assertEquals(Duration.ofSeconds(5), w.shutdownTimeout());
        assertEquals(data.resolve("models"), w.modelsDir());
        assertEquals("6000", w.clientProperties().get("consumer.session.timeout.ms"));
        // without threads: the service's pipeline as it is
        WorkerConfig same = KafkaWorkerConfiguration.workerConfig(good(null), new ModelStore(data), base);
        assertEquals(1, same.pipeline().parallelism());
        assertEquals(32, same.maxInFlight());
        assertFalse(same.workerId().isBlank());
        assertTrue(same.clientProperties().isEmpty());
    }

    @Test
    void aValueKafkaRefusesNamesOurKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> KafkaWorkerConfiguration.workerConfig(
                good(Map.of("consumer.session.timeout.ms", "soon")), new ModelStore(data), PipelineConfig.defaults()));
        assertEquals("jacflux.kafka.properties.consumer.session.timeout.ms", e.key());
        assertThat(e.getMessage()).contains("the Kafka consumer refuses it").contains("soon").contains("session.timeout.ms");
        ConfigException p = assertThrows(ConfigException.class, () -> KafkaWorkerConfiguration.workerConfig(
                good(Map.of("acks", "some")), new ModelStore(data), PipelineConfig.defaults()));
        assertEquals("jacflux.kafka.properties.acks", p.key());
        assertThat(p.getMessage()).contains("the Kafka producer refuses it");
        assertEquals("jacflux.kafka.properties", KafkaWorkerConfiguration.keyOf("something else", Map.of(), "consumer"));
    }

    @Test
    void theWorkerExistsOnlyWhenAJacfluxKafkaPropertyIsSet() {
        assertFalse(KafkaConfigured.isConfigured(new MockEnvironment().withProperty("jacflux.batch-size", "3")
                .withProperty("jacflux.kafkaesque", "x")));
        assertTrue(KafkaConfigured.isConfigured(new MockEnvironment().withProperty("jacflux.kafka.group", "g")));
        assertTrue(KafkaConfigured.isConfigured(new MockEnvironment().withProperty("jacflux.kafka.properties.security.protocol", "SSL")));
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("JACFLUX_KAFKA_BOOTSTRAP_SERVERS", "h:1")));
        assertTrue(KafkaConfigured.isConfigured(env), "an environment variable counts");
        StandardEnvironment other = new StandardEnvironment();
        other.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("JACFLUX_TOKEN", "t", "JACFLUX_KAFKAESQUE", "x")));
        other.getPropertySources().addFirst(new MapPropertySource("m", Map.of("jacflux.token", "t")));
        assertFalse(KafkaConfigured.isConfigured(other));
    }

    @Test
    void everyKeyHasIdeMetadataWithADescription() throws Exception {
        java.util.Map<String, String> described = new java.util.TreeMap<>();
        try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            for (var p : new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).path("properties")) {
                if (p.path("name").asText().startsWith("jacflux.kafka.")) {
                    described.put(p.path("name").asText(), p.path("description").asText(""));
                }
            }
        }
        assertThat(described).containsOnlyKeys("jacflux.kafka.bootstrap-servers", "jacflux.kafka.group", "jacflux.kafka.input-topic",
                "jacflux.kafka.output-topic", "jacflux.kafka.threads", "jacflux.kafka.max-in-flight", "jacflux.kafka.worker-id",
                "jacflux.kafka.shutdown-timeout", "jacflux.kafka.properties");
        described.forEach((key, text) -> assertThat(text).as(key).isNotBlank());
    }

    @Test
    void aServiceWithAnIncompleteKafkaConfigurationDoesNotStartAndNamesTheKey() {
        assertThat(startFailure("--jacflux.kafka.group=g")).contains("jacflux.kafka.bootstrap-servers is missing");
        assertThat(startFailure("--jacflux.kafka.bootstrap-servers=127.0.0.1:9", "--jacflux.kafka.group=g",
                "--jacflux.kafka.input-topic=a", "--jacflux.kafka.output-topic=b",
                "--jacflux.kafka.properties.consumer.session.timeout.ms=soon"))
                .contains("jacflux.kafka.properties.consumer.session.timeout.ms: the Kafka consumer refuses it");
    }

    private String startFailure(String... kafka) {
        SpringApplication app = new SpringApplication(JacFluxServiceApplication.class);
        String[] args = Stream.concat(Stream.of("--server.port=0", "--jacflux.security.token=t", "--jacflux.data-dir=" + data),
                Stream.of(kafka)).toArray(String[]::new);
        Throwable e = assertThrows(Throwable.class, () -> app.run(args));
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
        }
        return chain.toString();
    }
}
