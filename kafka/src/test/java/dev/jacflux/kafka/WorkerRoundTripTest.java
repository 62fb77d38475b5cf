package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.ModelJobs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One worker against the in-process broker: every job kind's result equals the library's direct
 * call, and each bad record gives exactly one failure record (with its reason) while the worker
 * goes on; the meters count what was committed.
 */
class WorkerRoundTripTest {
    private static final int SAMPLES = 5;

    @TempDir
    Path tmp;

    static WorkerConfig.Builder config(String in, String out, Path models) {
        return WorkerConfig.builder().bootstrapServers(TestBroker.bootstrap()).groupId("g-" + UUID.randomUUID()).inputTopic(in)
                .outputTopic(out).modelsDir(models).workerId("w-" + UUID.randomUUID().toString().substring(0, 8))
                .pipeline(PipelineConfig.builder().precision(Precision.FLOAT64).parallelism(2).nd4jThreads(1).build())
                .clientProperty("consumer.session.timeout.ms", "6000")
                .clientProperty("consumer.heartbeat.interval.ms", "1000")
                .clientProperty("producer.transaction.timeout.ms", "6000")
                .clientProperty("producer.max.request.size", Integer.toString(4 << 20));
    }

    /** An expected good result. */
    private record Expected(String job, INDArray value) {
    }

    @Test
    void everyJobMatchesTheDirectCallAndEveryBadRecordGetsOneFailure() throws Exception {
        String in = "in-" + UUID.randomUUID();
        String out = "out-" + UUID.randomUUID();
        TestBroker.topic(in, 3);
        TestBroker.topic(out, 2);
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        Model model = TestModels.mlp(6, 8, 4, 7);
        String id = TestModels.add(dir, model);

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, Expected> good = new LinkedHashMap<>();
        Map<String, String> bad = new LinkedHashMap<>();   // key -> reason
        for (int i = 0; i < 2; i++) {
            INDArray x = TestModels.input(DataType.DOUBLE, 100 + i, SAMPLES, 6);
            INDArray labels = TestModels.labels(SAMPLES, 4, 200 + i);
            INDArray y = TestModels.input(DataType.DOUBLE, 300 + i, SAMPLES, 4);
            records.add(Inputs.record(in, "jac-" + i, "jacobian", id, x, null, null));
            good.put("jac-" + i, new Expected("jacobian", BatchJacobian.of(ModelJobs.forward(model)).compute(x)));
            records.add(Inputs.record(in, "pjac-" + i, "param-jacobian", id, x, null, null));
            good.put("pjac-" + i, new Expected("param-jacobian", PerSample.parameterJacobian(model, x)));
            records.add(Inputs.record(in, "grads-" + i, "grads", id, x, "cross_entropy", labels));
            good.put("grads-" + i, new Expected("grads", PerSample.gradients(model, x, labels, Loss.crossEntropy()).matrix()));
            records.add(Inputs.record(in, "norms-" + i, "norms", id, x, "mse", y));
            good.put("norms-" + i, new Expected("norms", PerSample.gradientNorms(model, x, y, Loss.mse())));
            if (i == 0) {
                INDArray ok = TestModels.input(DataType.DOUBLE, 1, SAMPLES, 6);
                ProducerRecord<byte[], byte[]> notNpy = new ProducerRecord<>(in, "bad-not-npy".getBytes(StandardCharsets.UTF_8),
                        "hello, not an array".getBytes(StandardCharsets.UTF_8));
                notNpy.headers().add(JacFluxHeaders.JOB, "jacobian".getBytes(StandardCharsets.UTF_8))
                        .add(JacFluxHeaders.MODEL, id.getBytes(StandardCharsets.UTF_8));
                records.add(notNpy);
                bad.put("bad-not-npy", "not-npy");
                records.add(Inputs.record(in, "bad-shape", "jacobian", id, TestModels.input(DataType.DOUBLE, 2, SAMPLES, 7), null, null));
                bad.put("bad-shape", "shape");
                records.add(Inputs.record(in, "bad-model", "jacobian", "0123456789abcdef", ok, null, null));
                bad.put("bad-model", "unknown-model");
                records.add(Inputs.record(in, "bad-no-job", null, id, ok, null, null));
                bad.put("bad-no-job", "missing-header");
                records.add(Inputs.record(in, "bad-no-model", "grads", null, ok, "mse", y));
                bad.put("bad-no-model", "missing-header");
                records.add(Inputs.record(in, "bad-no-targets", "grads", id, ok, "cross_entropy", null));
                bad.put("bad-no-targets", "missing-header");
                records.add(Inputs.record(in, "bad-job", "hessian", id, ok, null, null));
                bad.put("bad-job", "bad-header");
                records.add(Inputs.record(in, "bad-labels", "grads", id, ok, "cross_entropy", TestModels.labels(SAMPLES, 9, 3)
                        .addi(4)));
                bad.put("bad-labels", "targets");
                INDArray nan = ok.dup();
                nan.putScalar(3, Double.NaN);
                records.add(Inputs.record(in, "bad-nan", "norms", id, nan, "mse", y));
                bad.put("bad-nan", "non-finite");
            }
        }
        records.add(Inputs.record(in, null, "jacobian", id, TestModels.input(DataType.DOUBLE, 1, SAMPLES, 6), null, null));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = new WorkerMetrics();
        metrics.bindTo(registry);
        List<ConsumerRecord<byte[], byte[]>> results;
        try (KafkaWorker worker = KafkaWorker.create(config(in, out, dir.root()).build(), metrics.listener(), null)) {
            worker.start();
            TestBroker.send(records);
            results = TestBroker.readCommitted(out, r -> r.size() >= records.size(), Duration.ofSeconds(120));
            worker.stop();
            assertTrue(worker.awaitTermination(Duration.ofSeconds(60)));
            assertEquals(WorkerState.STOPPED, worker.state());
            assertEquals(0, worker.status().aborted());
        }

        assertEquals(records.size(), results.size(), "one output per input record");
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = new HashMap<>();
        ConsumerRecord<byte[], byte[]> keyless = null;
        for (ConsumerRecord<byte[], byte[]> r : results) {
            if (r.key() == null) {
                keyless = r;
            } else {
                assertNull(byKey.put(TestBroker.key(r), r), "duplicate result for " + TestBroker.key(r));
            }
        }
        for (Map.Entry<String, Expected> e : good.entrySet()) {
            ConsumerRecord<byte[], byte[]> r = byKey.get(e.getKey());
            assertNotNull(r, "no result for " + e.getKey());
            assertNull(TestBroker.header(r, JacFluxHeaders.ERROR), e.getKey() + ": " + TestBroker.header(r, JacFluxHeaders.ERROR));
            INDArray got = Npz.fromNpy(r.value(), e.getKey());
            INDArray want = e.getValue().value();
            assertArrayEquals(want.shape(), got.shape(), e.getKey());
            assertEquals(DataType.DOUBLE, got.dataType());
            double scale = Math.max(1, want.amaxNumber().doubleValue());
            assertTrue(got.sub(want).amaxNumber().doubleValue() <= 1e-12 * scale, e.getKey() + " differs from the direct call");
            assertEquals(e.getValue().job(), TestBroker.header(r, JacFluxHeaders.JOB));
            assertEquals(id, TestBroker.header(r, JacFluxHeaders.MODEL));
            assertEquals(java.util.Arrays.toString(want.shape()), TestBroker.header(r, JacFluxHeaders.SHAPE));
            assertEquals("[5, 6]", TestBroker.header(r, JacFluxHeaders.INPUT_SHAPE));
            assertEquals("float64", TestBroker.header(r, JacFluxHeaders.DTYPE));
            assertTrue(Double.parseDouble(TestBroker.header(r, JacFluxHeaders.TOTAL_MS)) > 0);
            assertTrue(TestBroker.header(r, JacFluxHeaders.SOURCE).startsWith(in + "-"));
        }
        for (Map.Entry<String, String> e : bad.entrySet()) {
            ConsumerRecord<byte[], byte[]> r = byKey.get(e.getKey());
            assertNotNull(r, "no failure record for " + e.getKey());
            String error = TestBroker.header(r, JacFluxHeaders.ERROR);
            assertEquals(e.getValue(), TestBroker.header(r, JacFluxHeaders.ERROR_REASON), e.getKey() + ": " + error);
            assertTrue(error.startsWith("batch " + e.getKey() + ": "), error);
            assertTrue(!error.contains("\n") && !error.contains("Exception"), "one line, no class names: " + error);
            assertEquals(0, r.value().length);
        }
        assertTrue(TestBroker.header(byKey.get("bad-no-job"), JacFluxHeaders.ERROR).contains("header jacflux-job is missing"));
        assertTrue(TestBroker.header(byKey.get("bad-model"), JacFluxHeaders.ERROR).contains("unknown model '0123456789abcdef'"));
        assertTrue(TestBroker.header(byKey.get("bad-shape"), JacFluxHeaders.ERROR).contains("input shape [5, 7] does not match"));
        assertNotNull(keyless, "a keyless record gets a failure record too");
        assertEquals("missing-key", TestBroker.header(keyless, JacFluxHeaders.ERROR_REASON));

        assertEquals(records.size(), registry.get(WorkerMeter.RECORDS_CONSUMED.meterName()).counter().count());
        assertEquals(good.size(), registry.get(WorkerMeter.RESULTS_PRODUCED.meterName()).counters().stream()
                .mapToDouble(c -> c.count()).sum());
        assertEquals(2, registry.get(WorkerMeter.RESULTS_PRODUCED.meterName()).tag("job", "grads").counter().count());
        assertEquals(3, registry.get(WorkerMeter.FAILURES.meterName()).tag("reason", "missing-header").counter().count());
        assertEquals(1, registry.get(WorkerMeter.FAILURES.meterName()).tag("reason", "not-npy").counter().count());
        assertEquals(1, registry.get(WorkerMeter.FAILURES.meterName()).tag("reason", "non-finite").counter().count());
        assertTrue(registry.get(WorkerMeter.TRANSACTION_COMMIT.meterName()).timer().count() >= 1);
        assertEquals(1, registry.get(WorkerMeter.REBALANCES.meterName()).tag("kind", "assigned").counter().count());
    }
}
