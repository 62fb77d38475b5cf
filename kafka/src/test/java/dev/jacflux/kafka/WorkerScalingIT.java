package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A measurement, not a test of speed (it asserts only that every batch was answered): throughput
 * of 1, 2 and 3 worker processes on a 6-partition topic of per-sample gradient-norm batches, and
 * the same batches computed directly in one thread for comparison. Runs only with
 * {@code -Djacflux.kafka.scaling=true}; writes {@code target/scaling.json}.
 *
 * <pre>
 * mvn -B verify -pl kafka -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=WorkerScalingIT -Djacflux.kafka.scaling=true [-Djacflux.kafka.scaling.runs=1x1] \
 *     [-Djacflux.kafka.scaling.jvm=-XX:StartFlightRecording=filename=target/worker.jfr,settings=profile]
 * </pre>
 */
@EnabledIfSystemProperty(named = "jacflux.kafka.scaling", matches = "true")
class WorkerScalingIT {
    private static final int BATCHES = Integer.getInteger("jacflux.kafka.scaling.batches", 1200);
    private static final int SAMPLES = 64;
    private static final int PARTITIONS = 6;
    /** Which runs, as workers x threads (default all: 1x1, 2x1, 3x1, 1x2). */
    private static final List<String> RUNS = List.of(System.getProperty("jacflux.kafka.scaling.runs", "1x1,2x1,3x1,1x2").split(","));
    /**
     * The workers' JVM options: as {@code bin/jacflux worker} runs them (the JVM's own JIT and
     * collector) with a bounded heap, plus {@code -Djacflux.kafka.scaling.jvm=...} (e.g. a flight
     * recording: {@code -XX:StartFlightRecording=filename=target/worker.jfr,settings=profile}).
     */
    private static final List<String> JVM = jvmOptions();

    private static List<String> jvmOptions() {
        List<String> o = new ArrayList<>(List.of("-Xmx512m"));
        String extra = System.getProperty("jacflux.kafka.scaling.jvm", "").trim();
        if (!extra.isEmpty()) {
            o.addAll(List.of(extra.split("\\s+")));
        }
        return o;
    }
    private static double directCpuMsPerBatch;

    /** The 1-minute load average of the machine (other processes share the cores). */
    private static double loadAverage() {
        return round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    @Test
    void throughputWithOneTwoAndThreeWorkers() throws Exception {
        Path work = Path.of("target", "scaling").toAbsolutePath();
        Files.createDirectories(work);
        ModelDirectory dir = new ModelDirectory(work.resolve("models-" + System.nanoTime()));
        Model model = TestModels.mlp(784, 256, 10, 1);
        String id = TestModels.add(dir, model);
        List<INDArray> xs = new ArrayList<>();
        List<INDArray> ys = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            xs.add(TestModels.input(DataType.FLOAT, 10 + i, SAMPLES, 784));
            ys.add(TestModels.labels(SAMPLES, 10, 20 + i));
        }

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("workload", BATCHES + " batches of per-sample gradient norms (cross_entropy), " + SAMPLES
                + " samples of [784], MLP 784-256-10 (203,530 parameters), float32; " + PARTITIONS + " partitions");
        report.put("direct_1_thread_batches_per_s", direct(dir.load(id, DataType.FLOAT), xs, ys));
        report.put("direct_cpu_ms_per_batch", directCpuMsPerBatch);
        report.put("load_average_before", loadAverage());
        report.put("worker_jvm_options", JVM);
        for (String r : RUNS) {
            int workers = Integer.parseInt(r.trim().split("x")[0]);
            int threads = Integer.parseInt(r.trim().split("x")[1]);
            report.put(threads == 1 ? workers + "_workers" : workers + "_workers_" + threads + "_threads", run(workers, threads, dir, id, xs, ys,
                    work));
            System.out.println(report);
        }
        report.put("load_average_after", loadAverage());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of("target", "scaling.json").toFile(), report);
    }

    /** The same batches through the library in this JVM, one thread. */
    private static double direct(Model m, List<INDArray> xs, List<INDArray> ys) {
        for (int i = 0; i < 50; i++) {
            PerSample.gradientNorms(m, xs.get(i % xs.size()), ys.get(i % ys.size()), Loss.crossEntropy());
        }
        int n = Math.min(BATCHES, 400);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            PerSample.gradientNorms(m, xs.get(i % xs.size()), ys.get(i % ys.size()), Loss.crossEntropy());
        }
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        directCpuMsPerBatch = round((threads.getCurrentThreadCpuTime() - c0) / 1e6 / n);
        return round(rate);
    }

    /**
     * Produces the batches, then starts {@code count} workers of {@code threads} rails each; the
     * rate is taken between the 10th and the 90th percent of results (start-up and tail excluded).
     */
    private static Map<String, Object> run(int count, int threads, ModelDirectory dir, String id, List<INDArray> xs, List<INDArray> ys, Path work)
            throws Exception {
        String in = "sc-in-" + count + "-" + System.nanoTime();
        String out = "sc-out-" + count + "-" + System.nanoTime();
        TestBroker.topic(in, PARTITIONS);
        TestBroker.topic(out, PARTITIONS);
        List<String> args = List.of("--bootstrap-servers", TestBroker.bootstrap(), "--group", "sc-" + System.nanoTime(),
                "--input-topic", in, "--output-topic", out, "--models", dir.root().toString(), "--threads", Integer.toString(threads),
                "--status-interval", "0", "-X", "consumer.session.timeout.ms=6000", "-X", "consumer.heartbeat.interval.ms=1000");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            records.add(Inputs.record(in, "b" + i, "norms", id, xs.get(i % xs.size()), "cross_entropy", ys.get(i % ys.size())));
        }
        TestBroker.send(records);
        List<WorkerProcess> workers = new ArrayList<>();
        long from = 0;
        long to = 0;
        long cpuFrom = 0;
        long cpuTo = 0;
        long selfFrom = 0;
        long selfTo = 0;
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                workers.add(WorkerProcess.start("s" + count + "x" + threads + "-" + i, JVM, args,
                        work.resolve("s" + count + "x" + threads + "-" + i + ".log"), w -> { }));
            }
            Set<String> seen = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> reader = TestBroker.committedReader(out)) {
                long deadline = t0 + TimeUnit.SECONDS.toNanos(600);
                while (seen.size() < BATCHES && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(20))) {
                        assertEquals(null, TestBroker.header(r, JacFluxHeaders.ERROR));
                        seen.add(TestBroker.key(r));
                    }
                    if (from == 0 && seen.size() >= BATCHES / 10) {
                        from = System.nanoTime();
                        cpuFrom = workers.stream().mapToLong(WorkerProcess::cpuMillis).sum();
                        selfFrom = selfCpuMillis();
                    }
                    if (to == 0 && seen.size() >= BATCHES * 9 / 10) {
                        to = System.nanoTime();
                        cpuTo = workers.stream().mapToLong(WorkerProcess::cpuMillis).sum();
                        selfTo = selfCpuMillis();
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(BATCHES, seen.size());
            for (WorkerProcess w : workers) {
                w.terminate();
            }
            List<String> summaries = new ArrayList<>();
            for (WorkerProcess w : workers) {
                w.await(60);
                w.lines().stream().filter(l -> l.contains(": stopped; ")).forEach(l -> summaries.add(l.substring(l.indexOf("worker "))));
            }
            Map<String, Object> r = new LinkedHashMap<>();
            double steady = (to - from) / 1e9;
            r.put("threads_per_worker", threads);
            r.put("batches_per_s", round(0.8 * BATCHES / steady));
            r.put("samples_per_s", round(0.8 * BATCHES * SAMPLES / steady));
            r.put("wall_s_including_start", round(seconds));
            int steadyBatches = BATCHES * 9 / 10 - BATCHES / 10;
            r.put("worker_cpu_ms_per_batch", round((cpuTo - cpuFrom) / (double) steadyBatches));
            r.put("broker_jvm_cpu_ms_per_batch", round((selfTo - selfFrom) / (double) steadyBatches));
            r.put("workers", summaries);
            return r;
        } finally {
            workers.forEach(WorkerProcess::close);
        }
    }

    /** CPU time of this JVM (the broker, the producer of the inputs, the reader of the results). */
    private static long selfCpuMillis() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.2f", v));
    }
}
