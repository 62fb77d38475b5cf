package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import dev.jacflux.config.PipelineConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The configuration of one {@link KafkaWorker}: where to read and write, the model directory, the
 * pipeline, the in-flight bound and commit cadence, and extra Kafka client properties.
 *
 * <p>{@code clientProperties} go to both clients, or only to the consumer or producer with a
 * {@code consumer.} or {@code producer.} prefix (e.g. {@code security.protocol=SASL_SSL},
 * {@code consumer.session.timeout.ms=10000}, {@code producer.transaction.timeout.ms=10000}). The
 * worker always sets {@code group.id}, {@code enable.auto.commit=false}, {@code transactional.id}
 * and the byte-array (de)serializers.
 *
 * <pre>{@code
 * WorkerConfig config = WorkerConfig.builder()
 *         .bootstrapServers("kafka-1:9092")
 *         .groupId("jacflux")
 *         .inputTopic("batches")
 *         .outputTopic("results")
 *         .modelsDir(Path.of("/srv/jacflux/models"))
 *         .pipeline(PipelineConfig.builder().parallelism(2).nd4jThreads(1).build())
 *         .build();
 * }</pre>
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param groupId the consumer group every worker of a deployment shares
 * @param inputTopic the topic of input batches
 * @param outputTopic the topic of results and failures (not the input topic)
 * @param modelsDir the {@link ModelDirectory} models are loaded from
 * @param workerId this worker's id: client id, part of the transactional id, stamped on results
 *                 (default: host name plus a random suffix; give a stable id so that a restarted
 *                 worker fences its predecessor's open transaction at once)
 * @param pipeline the pipeline configuration (its job is set per record)
 * @param maxInFlight records held at once, from poll to committed result, {@code >= 1}
 *                    (default 32); above it the worker pauses its partitions
 * @param maxPollRecords records one poll may return, 1..maxInFlight (default {@code max(1, maxInFlight / 2)})
 * @param commitInterval how long ready results may wait for a transaction (default 100 ms)
 * @param shutdownTimeout how long a graceful stop waits for records in flight (default 30 s)
 * @param modelCacheSize models kept loaded, {@code >= 1} (default 16)
 * @param clientProperties extra Kafka client properties (see above)
 */
public record WorkerConfig(
        String bootstrapServers,
        String groupId,
        String inputTopic,
        String outputTopic,
        Path modelsDir,
        String workerId,
        PipelineConfig pipeline,
        int maxInFlight,
        int maxPollRecords,
        Duration commitInterval,
        Duration shutdownTimeout,
        int modelCacheSize,
        Map<String, String> clientProperties) {

    /** Default {@link #maxInFlight()}. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;

    /**
     * Validates every component.
     *
     * @throws IllegalArgumentException naming the first invalid setting and what is expected
     */
    public WorkerConfig {
        require(bootstrapServers, "bootstrap servers", "host:port");
        require(groupId, "group", "a consumer group id");
        require(inputTopic, "input topic", "a topic name");
        require(outputTopic, "output topic", "a topic name");
        require(workerId, "worker id", "a name");
        if (inputTopic.equals(outputTopic)) {
            throw new IllegalArgumentException("output topic must differ from the input topic, both are '" + inputTopic + "'");
        }
        Objects.requireNonNull(modelsDir, "models directory");
        Objects.requireNonNull(pipeline, "pipeline configuration");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in flight must be at least 1, got " + maxInFlight);
        }
        if (maxPollRecords < 1 || maxPollRecords > maxInFlight) {
            throw new IllegalArgumentException("max poll records must be between 1 and max in flight (" + maxInFlight + "), got "
                    + maxPollRecords);
        }
        if (commitInterval.isNegative()) {
            throw new IllegalArgumentException("commit interval must not be negative, got " + commitInterval);
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout must not be negative, got " + shutdownTimeout);
        }
        if (modelCacheSize < 1) {
            throw new IllegalArgumentException("model cache size must be at least 1, got " + modelCacheSize);
        }
        clientProperties = Map.copyOf(clientProperties);
        for (String reserved : new String[] {"group.id", "enable.auto.commit", "transactional.id", "consumer.group.id",
                "consumer.enable.auto.commit", "producer.transactional.id", "max.poll.records", "consumer.max.poll.records"}) {
            if (clientProperties.containsKey(reserved)) {
                throw new IllegalArgumentException("client property '" + reserved + "' is set by the worker itself"
                        + (reserved.contains("max.poll.records") ? " (use max poll records)" : ""));
            }
        }
    }

    /** The transactional id of this worker's producer: {@code jacflux-<group>-<worker id>}. */
    public String transactionalId() {
        return "jacflux-" + groupId + "-" + workerId;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bootstrapServers = bootstrapServers;
        b.groupId = groupId;
        b.inputTopic = inputTopic;
        b.outputTopic = outputTopic;
        b.modelsDir = modelsDir;
        b.workerId = workerId;
        b.pipeline = pipeline;
        b.maxInFlight = maxInFlight;
        b.maxPollRecords = maxPollRecords;
        b.commitInterval = commitInterval;
        b.shutdownTimeout = shutdownTimeout;
        b.modelCacheSize = modelCacheSize;
        b.clientProperties.putAll(clientProperties);
        return b;
    }

    /** A worker id: the host name and 6 random hex digits. */
    public static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    private static void require(String value, String what, String expected) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing; expected " + expected);
        }
    }

    /**
     * Mutable builder of {@link WorkerConfig}; {@link #build()} validates.
     * <pre>{@code
     * WorkerConfig c = WorkerConfig.builder().bootstrapServers("localhost:9092").groupId("g")
     *         .inputTopic("in").outputTopic("out").modelsDir(Path.of("models")).maxInFlight(4).build();
     * }</pre>
     */
    public static final class Builder {
        private String bootstrapServers;
        private String groupId;
        private String inputTopic;
        private String outputTopic;
        private Path modelsDir;
        private String workerId;
        private PipelineConfig pipeline = PipelineConfig.defaults();
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private Integer maxPollRecords;
        private Duration commitInterval = Duration.ofMillis(100);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private int modelCacheSize = 16;
        private final Map<String, String> clientProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets {@link WorkerConfig#bootstrapServers()}. */
        public Builder bootstrapServers(String v) {
            bootstrapServers = v;
            return this;
        }

        /** Sets {@link WorkerConfig#groupId()}. */
        public Builder groupId(String v) {
            groupId = v;
            return this;
        }

        /** Sets {@link WorkerConfig#inputTopic()}. */
        public Builder inputTopic(String v) {
            inputTopic = v;
            return this;
        }

        /** Sets {@link WorkerConfig#outputTopic()}. */
        public Builder outputTopic(String v) {
            outputTopic = v;
            return this;
        }

        /** Sets {@link WorkerConfig#modelsDir()}. */
        public Builder modelsDir(Path v) {
            modelsDir = v;
            return this;
        }

        /** Sets {@link WorkerConfig#workerId()}. */
        public Builder workerId(String v) {
            workerId = v;
            return this;
        }

        /** Sets {@link WorkerConfig#pipeline()}. */
        public Builder pipeline(PipelineConfig v) {
            pipeline = v;
            return this;
        }

        /** Sets {@link WorkerConfig#maxInFlight()}. */
        public Builder maxInFlight(int v) {
            maxInFlight = v;
            return this;
        }

        /** Sets {@link WorkerConfig#maxPollRecords()} (default {@code max(1, maxInFlight / 2)}). */
        public Builder maxPollRecords(int v) {
            maxPollRecords = v;
            return this;
        }

        /** Sets {@link WorkerConfig#commitInterval()}. */
        public Builder commitInterval(Duration v) {
            commitInterval = v;
            return this;
        }

        /** Sets {@link WorkerConfig#shutdownTimeout()}. */
        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = v;
            return this;
        }

        /** Sets {@link WorkerConfig#modelCacheSize()}. */
        public Builder modelCacheSize(int v) {
            modelCacheSize = v;
            return this;
        }

        /** Adds a Kafka client property (see {@link WorkerConfig}). */
        public Builder clientProperty(String key, String value) {
            clientProperties.put(key, value);
            return this;
        }

        /** Adds Kafka client properties (see {@link WorkerConfig}). */
        public Builder clientProperties(Map<String, String> properties) {
            clientProperties.putAll(properties);
            return this;
        }

        /**
         * Builds and validates the configuration.
         *
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public WorkerConfig build() {
            int poll = maxPollRecords != null ? maxPollRecords : Math.max(1, maxInFlight / 2);
            return new WorkerConfig(bootstrapServers, groupId, inputTopic, outputTopic, modelsDir,
                    workerId == null ? defaultWorkerId() : workerId, pipeline, maxInFlight, poll, commitInterval, shutdownTimeout,
                    modelCacheSize, clientProperties);
        }
    }
}
