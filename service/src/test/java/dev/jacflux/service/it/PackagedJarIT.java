package dev.jacflux.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.pipeline.ModelJobs;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.Exact;
import dev.jacflux.service.support.Multiparts;
import dev.jacflux.service.support.ServiceProcess;
import dev.jacflux.service.support.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The packaged jar as a separate process ({@code java -jar}, ND4J's natives loaded from the fat
 * jar): upload a model, compute a Jacobian over the JDK HttpClient and check it against the direct
 * call; stop; start again on the same data directory with {@code bin/jacflux serve}: the model is
 * still there and gives the same answer.
 */
class PackagedJarIT {
    private static final String TOKEN = "it-token-7d2e";
    private static final Duration START = Duration.ofSeconds(240);

    @TempDir
    Path data;
    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    private HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder authed(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN);
    }

    @Test
    void uploadComputeRestartCompute() throws Exception {
        TestModels.Files2 files = TestModels.write(TestModels.cnn(), 91, work);
        INDArray x = Arrays2.randn(92, DataType.FLOAT, 5, 2, 6, 6);
        Model m = ModelFile.load(files.jsonPath(), DataType.FLOAT);
        INDArray direct = BatchJacobian.of(ModelJobs.forward(m), JacobianOptions.DEFAULT).compute(x);
        String id;
        byte[] first;
        Path classLog = work.resolve("classes.log");
        try (ServiceProcess service = ServiceProcess.start(TOKEN, data, List.of("-Xmx512m", "-Xlog:class+load=info:file=" + classLog),
                List.of(), START)) {
            URI base = service.base();
            assertThat(base.toString()).startsWith("http://127.0.0.1:");

            HttpResponse<byte[]> health = send(HttpRequest.newBuilder(base.resolve("/actuator/health")));
            assertEquals(200, health.statusCode());
            assertThat(new String(health.body())).contains("\"status\":\"UP\"").contains("CpuBackend");   // natives loaded
            assertEquals(401, send(HttpRequest.newBuilder(base.resolve("/v1/models"))).statusCode());

            Multiparts upload = new Multiparts().part("model", files.json()).part("weights", files.weights());
            HttpResponse<byte[]> created = send(authed(base.resolve("/v1/models")).header("Content-Type", upload.contentType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload.body())));
            assertEquals(201, created.statusCode(), new String(created.body()));
            id = new String(created.body()).replaceAll(".*\"id\":\"([0-9a-f]{16})\".*", "$1");

            HttpResponse<byte[]> jac = send(authed(base.resolve("/v1/models/" + id + "/jacobian")).header("Content-Type", "application/x-npy")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Arrays2.npy(x))));
            assertEquals(200, jac.statusCode(), new String(jac.body()));
            assertEquals("application/x-npy", jac.headers().firstValue("Content-Type").orElse(""));
            first = jac.body();
            Exact.assertSameValues(direct, Arrays2.fromNpy(first), "Jacobian from the packaged service");
        }
        // without jacflux.kafka.* no Kafka class is loaded (the jar holds them): only the condition that said so
        List<String> kafka = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains(" org.apache.kafka.") || l.contains(" dev.jacflux.kafka.") || l.contains(" dev.jacflux.service.kafka."))
                .filter(l -> !l.contains(" dev.jacflux.service.kafka.KafkaConfigured"))
                .toList();
        assertThat(kafka).as("Kafka classes loaded by a service without jacflux.kafka.*").isEmpty();
        // again, started the way a user starts it: bin/jacflux serve --port 0 --data-dir ...
        try (ServiceProcess again = ServiceProcess.startWithLauncher(TOKEN, data, List.of("-Xmx512m"), List.of(), START)) {
            assertThat(again.base().toString()).startsWith("http://127.0.0.1:");
            HttpResponse<byte[]> listed = send(authed(again.base().resolve("/v1/models/" + id)));
            assertEquals(200, listed.statusCode(), "the model survived the restart");
            HttpResponse<byte[]> jac = send(authed(again.base().resolve("/v1/models/" + id + "/jacobian"))
                    .header("Content-Type", "application/x-npy").POST(HttpRequest.BodyPublishers.ofByteArray(Arrays2.npy(x))));
            assertArrayEquals(first, jac.body());
        }
        assertThat(Files.list(data.resolve("models")).map(p -> p.getFileName().toString()).toList()).containsExactly(id);
    }
}
