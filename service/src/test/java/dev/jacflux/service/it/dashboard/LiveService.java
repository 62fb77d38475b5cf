package dev.jacflux.service.it.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.model.io.Npz;
import dev.jacflux.service.support.Multiparts;
import dev.jacflux.service.support.ServiceProcess;
import dev.jacflux.service.support.TestModels;
import dev.jacflux.service.support.TrainingSets;
import dev.jacflux.training.Dataset;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The packaged service as a separate process with what the dashboards show: an image model (the
 * repository's {@code examples/mnist-mlp}, input {@code [1, 14, 14]}) answering Jacobian requests in
 * the background, and a private training with a target epsilon.
 */
final class LiveService implements AutoCloseable {
    static final String TOKEN = "dashboard-it-token-51c7a0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(240);

    final ServiceProcess process;
    final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    private final List<Load> loads = new ArrayList<>();

    private LiveService(ServiceProcess process) {
        this.process = process;
        this.base = process.base();
    }

    /** Starts the packaged jar on a free port with {@code args}. */
    static LiveService start(Path data, String... args) throws IOException, InterruptedException {
        return new LiveService(ServiceProcess.start(TOKEN, data, List.of("-Xmx768m"), List.of(args), START));
    }

    /** The checkout's root (the jar is in {@code service/target}). */
    static Path root() {
        return ServiceProcess.jar().toAbsolutePath().getParent().getParent().getParent();
    }

    HttpResponse<byte[]> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode json(HttpResponse<byte[]> r, int status) throws IOException {
        assertEquals(status, r.statusCode(), new String(r.body()));
        return JSON.readTree(r.body());
    }

    /** Uploads the example image model; returns its id. */
    String uploadImageModel() throws IOException, InterruptedException {
        Path dir = root().resolve("examples/mnist-mlp");
        Multiparts m = new Multiparts().part("model", Files.readAllBytes(dir.resolve("model.json")))
                .part("weights", Files.readAllBytes(dir.resolve("weights.npz")));
        return json(send(HttpRequest.newBuilder(base.resolve("/v1/models")).header("Content-Type", m.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.body()))), 201).get("id").asText();
    }

    /** {@code n} inputs for the image model: the example's four digits, repeated, with a little seeded noise. */
    static INDArray imageInputs(int n, long seed) {
        INDArray four = Npz.fromNpy(readExample("input.npy"), "input.npy").castTo(DataType.FLOAT);
        INDArray x = Nd4j.create(DataType.FLOAT, n, 1, 14, 14);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            INDArray noise = Nd4j.create(new float[196]).reshape(1, 14, 14);
            for (int p = 0; p < 196; p++) {
                noise.putScalar(0, p / 14, p % 14, (float) (0.05 * r.nextGaussian()));
            }
            x.putSlice(i, four.slice(i % 4).add(noise));
        }
        return x;
    }

    private static byte[] readExample(String name) {
        try {
            return Files.readAllBytes(root().resolve("examples/mnist-mlp").resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One Jacobian request (200 expected). */
    void jacobian(String model, byte[] npy) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(base.resolve("/v1/models/" + model + "/jacobian"))
                .header("Content-Type", "application/x-npy").POST(HttpRequest.BodyPublishers.ofByteArray(npy)));
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
    }

    /** Starts a private training of the 20-32-4 MLP on 2000 seeded examples, with a target epsilon; returns its id. */
    String startPrivateTraining(Path work, long steps, double targetEpsilon) throws IOException, InterruptedException {
        TestModels.Files2 files = TrainingSets.mlpFiles(61, work);
        Multiparts m = new Multiparts().part("model", files.json()).part("weights", files.weights());
        String model = json(send(HttpRequest.newBuilder(base.resolve("/v1/models")).header("Content-Type", m.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.body()))), 201).get("id").asText();
        Dataset d = TrainingSets.data(2000, 62);
        Multiparts xy = new Multiparts().part("x", TrainingSets.xNpy(d)).part("y", TrainingSets.yNpy(d));
        String dataset = json(send(HttpRequest.newBuilder(base.resolve("/v1/datasets")).header("Content-Type", xy.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(xy.body()))), 201).get("id").asText();
        String body = "{\"model\": \"" + model + "\", \"dataset\": \"" + dataset + "\", \"dp\": true, \"target_epsilon\": " + targetEpsilon
                + ", \"steps\": " + steps + ", \"batch_size\": 64, \"max_grad_norm\": 1.0, \"lr\": 0.5, \"delta\": 1e-5}";
        return json(send(HttpRequest.newBuilder(base.resolve("/v1/trainings")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))), 202).get("id").asText();
    }

    /** The training's status. */
    JsonNode training(String id) throws IOException, InterruptedException {
        return json(send(HttpRequest.newBuilder(base.resolve("/v1/trainings/" + id))), 200);
    }

    /** Cancels the training if it still runs. */
    void cancel(String id) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(base.resolve("/v1/trainings/" + id)).DELETE());
    }

    /** Jacobian requests one after another in the background until closed (at most {@code limit} requests). */
    Load load(String model, INDArray x, int limit) {
        Load l = new Load(model, Npz.toNpy(x), limit);
        loads.add(l);
        l.thread.start();
        return l;
    }

    /** A background request loop. */
    final class Load implements AutoCloseable {
        final AtomicInteger done = new AtomicInteger();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Load(String model, byte[] npy, int limit) {
            thread = new Thread(() -> {
                while (!stop.get() && done.get() < limit) {
                    try {
                        jacobian(model, npy);
                        done.incrementAndGet();
                    } catch (Throwable e) {   // reported by the test that reads errors
                        errors.add(e);
                        return;
                    }
                }
            }, "dashboard-it-load");
            thread.setDaemon(true);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(Duration.ofSeconds(120).toMillis());
        }
    }

    @Override
    public void close() throws Exception {
        for (Load l : loads) {
            l.close();
        }
        process.close();
    }
}
