package dev.jacflux.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.kafka.Inputs;
import dev.jacflux.kafka.JacFluxHeaders;
import dev.jacflux.kafka.TestBroker;
import dev.jacflux.kafka.WorkerState;
import dev.jacflux.kafka.WorkerStatus;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.ModelJobs;
import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.service.JacFluxServiceApplication;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.Exact;
import dev.jacflux.service.support.Multiparts;
import dev.jacflux.service.support.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service with {@code jacflux.kafka.*} set, against an in-process KRaft broker: a model
 * uploaded over HTTP answers records of the input topic with results equal to the library's
 * direct call, health shows the worker's state, assignment and lag, Prometheus its meters, and
 * closing the context stops the worker gracefully (the record in flight is finished and committed,
 * the group is left). One service for the whole class; the last test closes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InServiceWorkerTest {
    private static final String TOKEN = "kafka-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Gate gate = new Gate();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    private final String in = "svc-in-" + UUID.randomUUID();
    private final String out = "svc-out-" + UUID.randomUUID();
    private final String group = "svc-" + UUID.randomUUID();
    private final List<String> producedKeys = new ArrayList<>();
    private Path data;
    private Path work;
    private ConfigurableApplicationContext context;
    private URI base;
    private String modelId;
    private Model model;

    /**
     * Holds the first batch whose forward pass ends while armed, on its pipeline rail, until {@link #open()}:
     * a record stays in flight exactly as long as a test needs.
     */
    static final class Gate implements PipelineListener {
        private volatile CountDownLatch entered;
        private volatile CountDownLatch release;

        void arm() {
            entered = new CountDownLatch(1);
            release = new CountDownLatch(1);
        }

        @Override
        public void forwardFinished(String job, Duration elapsed) {
            // on the rail (batchStarted runs on the subscribing thread, the worker's poll loop)
            CountDownLatch r = release;
            CountDownLatch e = entered;
            if (r != null && e != null && e.getCount() > 0) {
                e.countDown();
                try {
                    r.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void awaitEntered() throws InterruptedException {
            assertTrue(entered.await(120, TimeUnit.SECONDS), "no batch started");
        }

        void open() {
            CountDownLatch r = release;
            release = null;
            r.countDown();
        }
    }

    /** Kafka's own loggers at WARN (the broker starts before Boot configures logging and stops after it cleaned up). */
    private static void quietKafka() {
        for (String logger : new String[] {"org.apache.kafka", "kafka", "state.change.logger", "org.springframework.kafka"}) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(logger)).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    @BeforeAll
    void start() throws Exception {
        quietKafka();
        String bootstrap = TestBroker.bootstrap();
        TestBroker.topic(in, 2);
        TestBroker.topic(out, 1);
        data = Files.createTempDirectory("jacflux-kafka-service-data");
        work = Files.createTempDirectory("jacflux-kafka-service-work");
        SpringApplication app = new SpringApplication(JacFluxServiceApplication.class);
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("testGate", gate));
        context = app.run("--server.port=0", "--jacflux.data-dir=" + data, "--jacflux.security.token=" + TOKEN,
                "--jacflux.kafka.bootstrap-servers=" + bootstrap, "--jacflux.kafka.group=" + group,
                "--jacflux.kafka.input-topic=" + in, "--jacflux.kafka.output-topic=" + out, "--jacflux.kafka.threads=1",
                "--jacflux.kafka.worker-id=svc-" + group.substring(4, 12),
                "--logging.level.org.apache.kafka=WARN", "--logging.level.kafka=WARN", "--logging.level.state.change.logger=WARN");
        base = URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    @AfterAll
    void stop() {
        if (context != null && context.isActive()) {
            context.close();
        }
        quietKafka();
    }

    private KafkaWorkerLifecycle worker() {
        return context.getBean(KafkaWorkerLifecycle.class);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode kafkaHealth() throws Exception {
        HttpResponse<byte[]> r = get("/actuator/health");
        JsonNode kafka = JSON.readTree(r.body()).path("components").path("kafka");
        assertTrue(kafka.isObject(), "no kafka health component: " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        return kafka;
    }

    /** Polls {@code condition} (status snapshots refresh every 200 ms) until it holds or {@code seconds} pass. */
    private static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records) {
        for (ProducerRecord<byte[], byte[]> r : records) {
            producedKeys.add(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
        }
        TestBroker.send(records);
    }

    private Map<String, ConsumerRecord<byte[], byte[]>> results(int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> all = TestBroker.readCommitted(out, r -> r.size() >= atLeast, Duration.ofSeconds(120));
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : all) {
            assertNull(byKey.put(TestBroker.key(r), r), "two results for " + TestBroker.key(r));
        }
        return byKey;
    }

    @Test
    @Order(1)
    void aModelUploadedOverHttpAnswersRecordsAsTheLibraryDoes() throws Exception {
        TestModels.Files2 files = TestModels.write(TestModels.mlp(), 501, work);
        Multiparts upload = new Multiparts().part("model", files.json()).part("weights", files.weights());
        HttpResponse<byte[]> created = http.send(HttpRequest.newBuilder(base.resolve("/v1/models"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", upload.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload.body())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, created.statusCode(), new String(created.body(), java.nio.charset.StandardCharsets.UTF_8));
        modelId = JSON.readTree(created.body()).path("id").asText();
        model = ModelFile.load(data.resolve("models").resolve(modelId).resolve("model.json"), DataType.FLOAT);

        INDArray x = Arrays2.randn(502, DataType.FLOAT, 4, 1, 6, 6);
        INDArray labels = Arrays2.labels(503, 4, 5);
        INDArray y = Arrays2.randn(504, DataType.FLOAT, 4, 5);
        Map<String, INDArray> expected = new LinkedHashMap<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(Inputs.record(in, "jac", "jacobian", modelId, x, null, null));
        expected.put("jac", BatchJacobian.of(ModelJobs.forward(model)).compute(x));
        records.add(Inputs.record(in, "pjac", "param-jacobian", modelId, x, null, null));
        expected.put("pjac", PerSample.parameterJacobian(model, x));
        records.add(Inputs.record(in, "grads", "grads", modelId, x, "cross_entropy", labels));
        expected.put("grads", PerSample.gradients(model, x, labels, Loss.crossEntropy()).matrix());
        records.add(Inputs.record(in, "norms", "norms", modelId, x, "mse", y));
        expected.put("norms", PerSample.gradientNorms(model, x, y, Loss.mse()));
        records.add(Inputs.record(in, "unknown", "jacobian", "0123456789abcdef", x, null, null));
        send(records);

        Map<String, ConsumerRecord<byte[], byte[]>> byKey = results(records.size());
        assertEquals(records.size(), byKey.size());
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            ConsumerRecord<byte[], byte[]> r = byKey.get(e.getKey());
            assertNotNull(r, "no result for " + e.getKey());
            assertNull(TestBroker.header(r, JacFluxHeaders.ERROR), e.getKey() + ": " + TestBroker.header(r, JacFluxHeaders.ERROR));
            Exact.assertSameValues(e.getValue(), Npz.fromNpy(r.value(), e.getKey()), e.getKey() + " against the direct call");
            assertEquals(modelId, TestBroker.header(r, JacFluxHeaders.MODEL));
            assertEquals("float32", TestBroker.header(r, JacFluxHeaders.DTYPE));
            assertEquals(worker().status().workerId(), TestBroker.header(r, JacFluxHeaders.WORKER));
        }
        ConsumerRecord<byte[], byte[]> unknown = byKey.get("unknown");
        assertEquals("unknown-model", TestBroker.header(unknown, JacFluxHeaders.ERROR_REASON));
        assertThat(TestBroker.header(unknown, JacFluxHeaders.ERROR)).startsWith("batch unknown: unknown model '0123456789abcdef'");
    }

    @Test
    @Order(2)
    void healthShowsTheStateAssignmentAndLagPerPartition() throws Exception {
        JsonNode idle = kafkaHealth();
        assertEquals("UP", idle.path("status").asText());
        assertEquals("RUNNING", idle.path("details").path("state").asText());
        assertEquals(List.of(in + "-0", in + "-1"), JSON.convertValue(idle.path("details").path("assignment"), List.class));

        gate.arm();
        INDArray x = Arrays2.randn(511, DataType.FLOAT, 3, 1, 6, 6);
        INDArray y = Arrays2.randn(512, DataType.FLOAT, 3, 5);
        List<ProducerRecord<byte[], byte[]>> three = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ProducerRecord<byte[], byte[]> r = Inputs.record(in, "lag-" + i, "norms", modelId, x, "mse", y);
            three.add(new ProducerRecord<>(in, 1, r.key(), r.value(), r.headers()));   // all on partition 1
        }
        send(three);
        gate.awaitEntered();
        // one record computing (held), two behind it: 3 not yet answered on partition 1, none on partition 0
        await("lag 3 on partition 1", 60, () -> kafkaLag(1) == 3);
        JsonNode busy = kafkaHealth();
        assertEquals("UP", busy.path("status").asText());
        assertEquals(0, busy.path("details").path("lag").path(in + "-0").asLong());
        assertEquals(3, busy.path("details").path("totalLag").asLong());
        String prometheus = new String(get("/actuator/prometheus").body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(prometheus).containsPattern("jacflux_kafka_consumer_lag_records\\{partition=\"1\",topic=\"" + in + "\"\\} 3\\.0");

        gate.open();
        await("lag 0 on partition 1", 60, () -> kafkaLag(1) == 0);
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = results(producedKeys.size());
        for (int i = 0; i < 3; i++) {
            Exact.assertSameValues(PerSample.gradientNorms(model, x, y, Loss.mse()), Npz.fromNpy(byKey.get("lag-" + i).value(), "lag"),
                    "lag-" + i);
        }
    }

    private long kafkaLag(int partition) {
        try {
            JsonNode lag = kafkaHealth().path("details").path("lag").path(in + "-" + partition);
            return lag.isMissingNode() ? -1 : lag.asLong();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(3)
    void prometheusShowsTheWorkersMetersAndItsBatchesInThePipelineMeters() throws Exception {
        String text = new String(get("/actuator/prometheus").body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text)
                .containsPattern("jacflux_kafka_records_consumed_records_total " + producedKeys.size() + "\\.0")
                .contains("jacflux_kafka_results_produced_records_total{job=\"norms\"} 4.0")
                .contains("jacflux_kafka_results_produced_records_total{job=\"jacobian\"} 1.0")
                .contains("jacflux_kafka_failures_records_total{reason=\"unknown-model\"} 1.0")
                .containsPattern("jacflux_kafka_transaction_commit_seconds_count [1-9]")
                .contains("jacflux_kafka_rebalances_events_total{kind=\"assigned\"} 1.0")
                .containsPattern("jacflux_kafka_consumer_lag_records\\{partition=\"0\",topic=\"" + in + "\"\\} 0\\.0")
                .containsPattern("(?m)^jacflux_kafka_inflight_records 0\\.0$")
                .containsPattern("(?m)^jacflux_kafka_paused 0\\.0$")
                // the worker's batches count in the pipeline's own meters (the PipelineListener beans)
                .containsPattern("jacflux_batches_total\\{job=\"per-sample-gradient-norms\",outcome=\"success\"\\} 4\\.0");
    }

    @Test
    @Order(4)
    void closingTheServiceStopsTheWorkerGracefully() throws Exception {
        gate.arm();
        INDArray x = Arrays2.randn(521, DataType.FLOAT, 2, 1, 6, 6);
        INDArray labels = Arrays2.labels(522, 2, 5);
        send(List.of(Inputs.record(in, "last", "grads", modelId, x, "cross_entropy", labels)));
        gate.awaitEntered();

        KafkaWorkerLifecycle worker = worker();
        Thread closer = new Thread(context::close, "test-close");
        closer.start();
        await("the stop request", 60, () -> worker.status().state() == WorkerState.STOPPING);
        assertTrue(closer.isAlive(), "close waits for the record in flight");
        gate.open();
        closer.join(TimeUnit.SECONDS.toMillis(120));
        assertTrue(!closer.isAlive(), "the context closed");

        WorkerStatus s = worker.status();
        assertEquals(WorkerState.STOPPED, s.state(), String.valueOf(s.failure()));
        assertEquals(0, s.aborted());
        assertEquals(producedKeys.size(), s.consumed());
        assertEquals(producedKeys.size(), s.results() + s.failures());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrap()))) {
            // every consumed offset was committed before close returned: nothing is left for a successor
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> ends = endOffsets();
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                long at = committed.get(e.getKey()) == null ? 0 : committed.get(e.getKey()).offset();
                assertEquals(e.getValue().longValue(), at, "committed offset of " + e.getKey());
            }
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
            assertTrue(d.members().isEmpty(), "the worker left its group: " + d.members());
        }
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = results(producedKeys.size());
        assertEquals(new java.util.TreeSet<>(producedKeys), new java.util.TreeSet<>(byKey.keySet()), "one result per record, no more");
        Exact.assertSameValues(PerSample.gradients(model, x, labels, Loss.crossEntropy()).matrix(),
                Npz.fromNpy(byKey.get("last").value(), "last"), "the record in flight at close");
    }

    private Map<TopicPartition, Long> endOffsets() {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestBroker.bootstrap());
        p.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = List.of(new TopicPartition(in, 0), new TopicPartition(in, 1));
            return new HashMap<>(c.endOffsets(tps));
        }
    }
}
