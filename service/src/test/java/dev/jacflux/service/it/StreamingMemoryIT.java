package dev.jacflux.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.ModelJobs;
import dev.jacflux.model.io.NpyHeader;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.Exact;
import dev.jacflux.service.support.Multiparts;
import dev.jacflux.service.support.ServiceProcess;
import dev.jacflux.service.support.TestModels;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A streamed answer five times larger than the server's heap ({@code -Xmx64m}) and than JavaCPP's
 * off-heap limit (ND4J's arrays; {@code maxbytes} 64 MiB) completes, row for row equal to the
 * direct call, and the server is still healthy afterwards. JavaCPP's other check, of the whole
 * process's resident memory ({@code maxPhysicalBytes}, by default 4 x the heap), is switched off:
 * ND4J's native libraries alone take more than 256 MiB. Prints the figures (answer size, time,
 * peak resident memory of the server).
 */
class StreamingMemoryIT {
    private static final String TOKEN = "it-token-stream";
    private static final int HEAP_MIB = 64;
    private static final int BATCH = 64;
    private static final long SAMPLES = 10240;   // 10240 x 512 x 16 float32 = 320 MiB: five heaps

    @TempDir
    Path data;
    @TempDir
    Path work;

    @Test
    void anAnswerLargerThanTheHeapIsStreamed() throws Exception {
        TestModels.Files2 files = TestModels.write(TestModels.wide(), 93, work);
        INDArray x = Arrays2.randn(94, DataType.FLOAT, SAMPLES, 16);
        Model m = ModelFile.load(files.jsonPath(), DataType.FLOAT);
        HttpClient http = HttpClient.newHttpClient();
        try (ServiceProcess service = ServiceProcess.start(TOKEN, data, List.of("-Xmx" + HEAP_MIB + "m",
                "-Dorg.bytedeco.javacpp.maxbytes=" + HEAP_MIB + "m", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"),
                List.of("--jacflux.batch-size=" + BATCH, "--jacflux.limits.max-result-size=1GiB"), Duration.ofSeconds(240))) {
            URI base = service.base();
            Multiparts upload = new Multiparts().part("model", files.json()).part("weights", files.weights());
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(base.resolve("/v1/models")).header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", upload.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(upload.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            String id = created.body().replaceAll(".*\"id\":\"([0-9a-f]{16})\".*", "$1");

            long idlePeak = service.peakRssKiB();
            long t0 = System.nanoTime();
            HttpResponse<InputStream> answer = http.send(HttpRequest.newBuilder(base.resolve("/v1/models/" + id + "/jacobian"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/x-npy")
                    .timeout(Duration.ofMinutes(4))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Arrays2.npy(x))).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, answer.statusCode());
            long total;
            try (InputStream in = answer.body()) {
                byte[] head = in.readNBytes(128);
                NpyHeader h = NpyHeader.parse(head, head.length, "answer");
                assertArrayEquals(new long[] {SAMPLES, 512, 16}, h.shape());
                total = h.headerBytes() + h.dataBytes();
                assertThat(h.dataBytes()).as("answer bytes").isGreaterThan(4L * HEAP_MIB << 20);
                byte[] rest = java.util.Arrays.copyOfRange(head, (int) h.headerBytes(), head.length);
                long rowBytes = h.rowBytes();
                for (long start = 0; start < SAMPLES; start += BATCH) {
                    byte[] rows = new byte[(int) (BATCH * rowBytes)];
                    System.arraycopy(rest, 0, rows, 0, rest.length);
                    int got = rest.length + in.readNBytes(rows, rest.length, rows.length - rest.length);
                    rest = new byte[0];
                    assertEquals(rows.length, got, "rows " + start + "..");
                    byte[] npy = new byte[h.withRows(BATCH).bytes().length + rows.length];
                    System.arraycopy(h.withRows(BATCH).bytes(), 0, npy, 0, h.withRows(BATCH).bytes().length);
                    System.arraycopy(rows, 0, npy, h.withRows(BATCH).bytes().length, rows.length);
                    INDArray served = Npz.fromNpy(npy, "rows " + start);
                    INDArray direct = BatchJacobian.of(ModelJobs.forward(m), JacobianOptions.DEFAULT).compute(Exact.rows(x, start, start + BATCH));
                    Exact.assertSameValues(direct, served, "rows " + start + ".." + (start + BATCH - 1));
                }
                assertEquals(-1, in.read(), "nothing after the last row");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peak = service.peakRssKiB();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "still healthy: " + health.body());
            assertTrue(service.alive());
            System.out.println(String.format(Locale.ROOT, "streaming: answer %d bytes (%.0f MiB) with -Xmx%dm, batch %d, in %.1f s;"
                    + " server peak RSS %.0f MiB (%.0f MiB before the request); health %s", total, total / 1048576.0, HEAP_MIB, BATCH,
                    seconds, peak / 1024.0, idlePeak / 1024.0,
                    health.body().replaceAll(".*\"offHeapBytes\":(\\d+).*", "offHeapBytes=$1")));
        }
    }
}
