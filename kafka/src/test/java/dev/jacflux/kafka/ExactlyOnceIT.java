package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.ModelJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fault test: three workers as separate JVMs in one group on a 6-partition topic of 2000
 * batches (all four jobs); one is killed with SIGKILL mid-stream, one stopped gracefully (SIGTERM);
 * then every batch id appears exactly once in the committed result topic with the value of the
 * library's direct call. Writes {@code target/exactly-once.json}.
 */
class ExactlyOnceIT {
    private static final int BATCHES = 2000;
    private static final int PARTITIONS = 6;
    private static final int WORKERS = 3;
    private static final int SAMPLES = 8;
    private static final String[] JOBS = {"jacobian", "grads", "norms", "param-jacobian"};

    @Test
    void killedAndStoppedWorkersLeaveExactlyOneCommittedResultPerBatch() throws Exception {
        Path work = Path.of("target", "exactly-once").toAbsolutePath();
        Files.createDirectories(work);
        String in = "eo-in-" + System.nanoTime();
        String out = "eo-out-" + System.nanoTime();
        TestBroker.topic(in, PARTITIONS);
        TestBroker.topic(out, PARTITIONS);
        ModelDirectory dir = new ModelDirectory(work.resolve("models-" + System.nanoTime()));
        Model model = TestModels.mlp(16, 32, 8, 42);
        String id = TestModels.add(dir, model);
        Model model32 = dir.load(id, DataType.FLOAT);

        List<String> args = List.of("--bootstrap-servers", TestBroker.bootstrap(), "--group", "eo-" + System.nanoTime(),
                "--input-topic", in, "--output-topic", out, "--models", dir.root().toString(), "--threads", "1",
                "--status-interval", "0", "--shutdown-timeout", "30",
                "-X", "consumer.session.timeout.ms=6000", "-X", "consumer.heartbeat.interval.ms=1000",
                "-X", "consumer.max.poll.interval.ms=30000", "-X", "producer.transaction.timeout.ms=6000");
        CountDownLatch balanced = new CountDownLatch(1);
        List<WorkerProcess> workers = new ArrayList<>();
        java.util.function.Consumer<WorkerProcess> onPartitions = w -> {
            synchronized (workers) {
                if (workers.size() == WORKERS && workers.stream().allMatch(x -> x.partitions().size() == PARTITIONS / WORKERS)) {
                    balanced.countDown();
                }
            }
        };
        try {
            for (int i = 0; i < WORKERS; i++) {
                WorkerProcess w = WorkerProcess.start("w" + i, args, work.resolve("w" + i + ".log"), onPartitions);
                synchronized (workers) {
                    workers.add(w);
                }
            }
            assertTrue(balanced.await(180, TimeUnit.SECONDS), "the three workers did not share the six partitions: "
                    + workers.stream().map(w -> w.id() + "=" + w.partitions()).toList());

            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < BATCHES; i++) {
                records.add(input(in, i, id));
            }
            TestBroker.send(records);

            WorkerProcess killed = workers.get(0);
            WorkerProcess stopped = workers.get(1);
            long killMillis = 0;
            Set<String> seen = new HashSet<>();
            Set<String> killedPartitions = new HashSet<>();
            Set<String> takenOver = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> reader = TestBroker.committedReader(out)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (seen.size() < BATCHES && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
                        seen.add(TestBroker.key(r));
                        if (killMillis == 0 && killed.id().equals(TestBroker.header(r, JacFluxHeaders.WORKER))) {
                            killedPartitions.add(partitionOf(r));
                        } else if (killMillis > 0 && killedPartitions.contains(partitionOf(r))) {
                            takenOver.add(partitionOf(r));
                        }
                    }
                    if (killMillis == 0 && seen.size() >= BATCHES / 4) {
                        killMillis = System.currentTimeMillis();
                        killed.kill();
                    }
                    // the graceful stop once the killed worker's partitions have moved on (so the takeover is measured alone)
                    if (stopped.isAlive() && seen.size() >= BATCHES / 2
                            && (takenOver.containsAll(killedPartitions) || seen.size() >= BATCHES * 9 / 10)) {
                        stopped.terminate();
                        assertNotEquals(-1, stopped.await(90), "the gracefully stopped worker did not exit");
                    }
                }
            }
            assertTrue(stopped.lines().stream().anyMatch(l -> l.contains(": stopped; consumed ")),
                    "graceful stop summary missing (the worker stopped before all batches were answered?): " + stopped.lines());
            assertTrue(killMillis > 0, "the kill never happened");
            assertEquals(137, killed.await(30), "SIGKILL exit status");
            WorkerProcess last = workers.get(2);
            last.terminate();
            assertNotEquals(-1, last.await(90));

            List<ConsumerRecord<byte[], byte[]>> results = TestBroker.readCommitted(out, r -> false, Duration.ZERO);
            Map<String, Integer> counts = new HashMap<>();
            int failed = 0;
            for (ConsumerRecord<byte[], byte[]> r : results) {
                String key = TestBroker.key(r);
                counts.merge(key, 1, Integer::sum);
                if (TestBroker.header(r, JacFluxHeaders.ERROR) != null) {
                    failed++;
                    continue;
                }
                int i = Integer.parseInt(key.substring(1));
                INDArray want = expected(model32, i);
                INDArray got = Npz.fromNpy(r.value(), key);
                assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()), key);
                double scale = Math.max(1, want.amaxNumber().doubleValue());
                assertTrue(got.sub(want).amaxNumber().doubleValue() <= 1e-5 * scale, key + " (" + JOBS[i % JOBS.length]
                        + ") differs from the direct call");
            }
            int duplicates = results.size() - counts.size();
            int missing = 0;
            for (int i = 0; i < BATCHES; i++) {
                if (!counts.containsKey(key(i))) {
                    missing++;
                }
            }
            long rebalanceMs = takeoverMillis(results, killed.id(), killMillis);

            Map<String, Object> report = new LinkedHashMap<>();
            report.put("batches", BATCHES);
            report.put("results", counts.size());
            report.put("duplicates", duplicates);
            report.put("missing", missing);
            report.put("failed", failed);
            report.put("killed", 1);
            report.put("rebalance_ms", rebalanceMs);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of("target", "exactly-once.json").toFile(), report);

            assertEquals(0, duplicates, "duplicates");
            assertEquals(0, missing, "missing");
            assertEquals(0, failed, "failed");
            assertEquals(BATCHES, counts.size());
            assertTrue(rebalanceMs > 0, "no result of the killed worker's partitions came from another worker after the kill");
        } finally {
            workers.forEach(WorkerProcess::close);
        }
    }

    private static String key(int i) {
        return String.format("b%04d", i);
    }

    private static ProducerRecord<byte[], byte[]> input(String topic, int i, String model) {
        INDArray x = TestModels.input(DataType.FLOAT, 1000 + i, SAMPLES, 16);
        String job = JOBS[i % JOBS.length];
        return switch (job) {
            case "grads" -> Inputs.record(topic, key(i), job, model, x, "cross_entropy", TestModels.labels(SAMPLES, 8, 5000 + i));
            case "norms" -> Inputs.record(topic, key(i), job, model, x, "mse", TestModels.input(DataType.FLOAT, 9000 + i, SAMPLES, 8));
            default -> Inputs.record(topic, key(i), job, model, x, null, null);
        };
    }

    /** The library's direct call for batch {@code i}, in float32 as the workers compute. */
    private static INDArray expected(Model m, int i) {
        INDArray x = TestModels.input(DataType.FLOAT, 1000 + i, SAMPLES, 16);
        return switch (JOBS[i % JOBS.length]) {
            case "jacobian" -> BatchJacobian.of(ModelJobs.forward(m)).compute(x);
            case "grads" -> PerSample.gradients(m, x, TestModels.labels(SAMPLES, 8, 5000 + i), Loss.crossEntropy()).matrix();
            case "norms" -> PerSample.gradientNorms(m, x, TestModels.input(DataType.FLOAT, 9000 + i, SAMPLES, 8), Loss.mse());
            default -> PerSample.parameterJacobian(m, x);
        };
    }

    /**
     * The takeover time: for each input partition the killed worker answered, the time from the
     * kill to the first result of that partition produced by another worker; the largest of them.
     */
    private static long takeoverMillis(List<ConsumerRecord<byte[], byte[]>> results, String killedId, long killMillis) {
        Set<String> owned = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : results) {
            if (killedId.equals(TestBroker.header(r, JacFluxHeaders.WORKER))) {
                owned.add(partitionOf(r));
            }
        }
        Map<String, Long> first = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : results) {
            String p = partitionOf(r);
            if (owned.contains(p) && !killedId.equals(TestBroker.header(r, JacFluxHeaders.WORKER)) && r.timestamp() >= killMillis) {
                first.merge(p, r.timestamp(), Math::min);
            }
        }
        System.out.println("killed " + killedId + " at " + java.time.Instant.ofEpochMilli(killMillis) + "; its partitions " + owned
                + "; first result of each from another worker after " + first.entrySet().stream()
                        .map(e -> e.getKey() + " " + (e.getValue() - killMillis) + " ms").toList());
        return first.values().stream().mapToLong(t -> t - killMillis).max().orElse(-1);
    }

    private static String partitionOf(ConsumerRecord<byte[], byte[]> r) {
        String source = TestBroker.header(r, JacFluxHeaders.SOURCE);
        return source.substring(0, source.lastIndexOf('@'));
    }
}
