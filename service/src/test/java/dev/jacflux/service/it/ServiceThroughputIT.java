package dev.jacflux.service.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.Multiparts;
import dev.jacflux.service.support.ServiceProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Not a test but a measurement, run on demand: the service's latency and throughput for the
 * {@code mlp-grads} model (MLP 784-256-128-10 with tanh, per-sample gradients of cross-entropy,
 * batch 256, float32: a 256 x 235146 answer of 240 MB) against the direct library call
 * ({@code PerSample.gradients}) in this JVM, on the same machine, in one run. The client is the JDK
 * HttpClient reading each answer to its last byte. Also the gradient norms (a 1 KB answer), which
 * shows the service's own overhead without the transfer.
 *
 * <pre>
 * OMP_NUM_THREADS=1 mvn -B -pl service -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=ServiceThroughputIT -Djacflux.throughput=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "jacflux.throughput", matches = "true")
class ServiceThroughputIT {
    private static final String TOKEN = "throughput";
    private static final int N = 256;
    private static final int WARMUP = 3;
    private static final int RUNS = Integer.getInteger("jacflux.throughput.runs", 12);

    @TempDir
    Path data;
    @TempDir
    Path work;

    @Test
    void measure() throws Exception {
        Sequential arch = Sequential.of(new long[] {784}, Linear.of("fc1", 784, 256), new Tanh(), Linear.of("fc2", 256, 128), new Tanh(),
                Linear.of("fc3", 128, 10));
        Model init = Model.initialize(arch, DataType.FLOAT, 42L);
        ModelFile.save(init, work.resolve("model.json"), "weights.npz");
        Model model = ModelFile.load(work.resolve("model.json"), DataType.FLOAT);
        INDArray x = Arrays2.randn(7, DataType.FLOAT, N, 784);
        INDArray y = Arrays2.labels(8, N, 10);
        byte[] body;
        Multiparts parts = new Multiparts().part("input", Arrays2.npy(x)).part("targets", Arrays2.npy(y));
        body = parts.body();

        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "mlp-grads: MLP 784-256-128-10 tanh, N=%d, M=%d, float32; OMP_NUM_THREADS=%s; %d runs after %d"
                + " warm-up; client: JDK HttpClient, sequential requests, answer read to the last byte", N, model.parameterCount(),
                System.getenv("OMP_NUM_THREADS"), RUNS, WARMUP));
        lines.add(stats("direct PerSample.gradients", () -> PerSample.gradients(model, x, y, Loss.crossEntropy()).matrix().length()));
        lines.add(stats("direct PerSample.gradientNorms", () -> PerSample.gradientNorms(model, x, y, Loss.crossEntropy()).length()));

        HttpClient http = HttpClient.newHttpClient();
        for (int parallelism : new int[] {1, 2}) {
            try (ServiceProcess service = ServiceProcess.start(TOKEN, data.resolve("p" + parallelism), List.of("-Xmx2g"),
                    List.of("--jacflux.parallelism=" + parallelism), Duration.ofSeconds(240))) {
                URI base = service.base();
                Multiparts upload = new Multiparts().part("model", Files.readAllBytes(work.resolve("model.json")))
                        .part("weights", Files.readAllBytes(work.resolve("weights.npz")));
                HttpResponse<String> created = http.send(HttpRequest.newBuilder(base.resolve("/v1/models")).header("Authorization",
                        "Bearer " + TOKEN).header("Content-Type", upload.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload.body())).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, created.statusCode(), created.body());
                String id = created.body().replaceAll(".*\"id\":\"([0-9a-f]{16})\".*", "$1");
                for (boolean norms : new boolean[] {false, true}) {
                    URI uri = base.resolve("/v1/models/" + id + "/grads?loss=cross_entropy&norms=" + norms);
                    Supplier<Long> request = () -> post(http, uri, parts.contentType(), body);
                    String what = "service jacflux.parallelism=" + parallelism + (norms ? " grads?norms=true" : " grads");
                    lines.add(stats(what, request::get));
                    lines.add(concurrent(what + ", 2 clients", request));
                }
                lines.add(String.format(Locale.ROOT, "service jacflux.parallelism=%d: peak RSS %.0f MiB", parallelism,
                        service.peakRssKiB() / 1024.0));
            }
        }
        lines.forEach(System.out::println);
        Files.write(Path.of("target", "service-throughput.txt"), lines);
    }

    private static long post(HttpClient http, URI uri, String contentType, byte[] body) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long n = 0;
            try (InputStream in = r.body()) {
                byte[] buf = new byte[1 << 20];
                for (int k; (k = in.read(buf)) > 0;) {
                    n += k;
                }
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException("status " + r.statusCode());
            }
            return n;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String stats(String what, Supplier<Long> call) {
        for (int i = 0; i < WARMUP; i++) {
            call.get();
        }
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            call.get();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = RUNS % 2 == 1 ? ms[RUNS / 2] : (ms[RUNS / 2 - 1] + ms[RUNS / 2]) / 2;
        return String.format(Locale.ROOT, "%-55s median %8.1f ms  (min %.1f, max %.1f)  -> %8.0f samples/s", what, median, ms[0],
                ms[RUNS - 1], N * 1000.0 / median);
    }

    private static String concurrent(String what, Supplier<Long> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Void> client = () -> {
                for (int i = 0; i < RUNS / 2; i++) {
                    call.get();
                }
                return null;
            };
            long t0 = System.nanoTime();
            List<Future<Void>> all = pool.invokeAll(List.of(client, client));
            for (Future<Void> f : all) {
                f.get();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return String.format(Locale.ROOT, "%-55s %d requests in %.2f s            -> %8.0f samples/s", what, 2 * (RUNS / 2), s,
                    2 * (RUNS / 2) * N / s);
        } finally {
            pool.shutdownNow();
        }
    }
}
