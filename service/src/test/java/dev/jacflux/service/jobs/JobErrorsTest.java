package dev.jacflux.service.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

/** Every error status of the job endpoints: 400, 404, 413, 422, 429, as problem+json. */
class JobErrorsTest extends ServiceTestBase {
    private static final MediaType NPY = MediaType.parseMediaType("application/x-npy");

    @Autowired
    JobSlots slots;

    private String mlp;
    private String coupled;

    @BeforeEach
    void models() {
        mlp = upload(TestModels.write(TestModels.mlp(), 61, WORK));
        coupled = upload(TestModels.write(TestModels.coupled(), 62, WORK));
    }

    private WebTestClient.ResponseSpec post(String id, String query, byte[] body) {
        return client.post().uri("/v1/models/" + id + "/jacobian" + query).contentType(NPY).bodyValue(body).exchange();
    }

    private static byte[] npy(String descr, String shape, int dataBytes) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        byte[] text = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer bb = ByteBuffer.allocate(10 + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length).put(text);
        return bb.array();
    }

    @Test
    void malformedNpyBodiesAre400NamingTheProblem() {
        byte[] good = Arrays2.npy(Arrays2.randn(1, DataType.FLOAT, 4, 1, 6, 6));
        assertProblem(post(mlp, "", "PK\u0003\u0004 zip".getBytes(StandardCharsets.ISO_8859_1)), 400, "bad-input", "body",
                "not a NumPy .npy array");
        assertProblem(post(mlp, "", Arrays.copyOf(good, 40)), 400, "bad-input", "body: truncated .npy header");
        assertProblem(post(mlp, "", Arrays.copyOf(good, good.length - 5)), 400, "bad-input", "body: truncated .npy data",
                "[4, 1, 6, 6] float32 needs 576 bytes of data, the body has 571");
        assertProblem(post(mlp, "", npy("<f4", "(-4, 1, 6, 6)", 0)), 400, "bad-input", "negative dimension -4");
        assertProblem(post(mlp, "", npy("<f4", "(4611686018427387904, 4611686018427387904)", 0)), 400, "bad-input",
                "more bytes than can be counted");
        assertProblem(post(mlp, "", npy("<f2", "(4, 1, 6, 6)", 288)), 400, "bad-input", "unsupported dtype '<f2'");
        assertProblem(post(mlp, "", new byte[0]), 400, "bad-input", "body: empty body");
    }

    @Test
    void anInputThatDoesNotFitTheModelIs400() {
        assertProblem(post(mlp, "", Arrays2.npy(Arrays2.randn(2, DataType.FLOAT, 4, 36))), 400, "bad-input",
                "body: input shape [4, 36] does not match the model's input_shape [1, 6, 6]; expected [B, 1, 6, 6]");
        assertProblem(post(mlp, "", npy("<f4", "(0, 1, 6, 6)", 0)), 400, "bad-input", "empty batch");
        assertProblem(post(mlp, "", Arrays2.npy(Arrays2.labels(3, 4, 5))), 400, "bad-input", "wrong dtype int64");
        assertProblem(post(coupled, "", Arrays2.npy(Arrays2.randn(2, DataType.FLOAT, 4, 2, 3, 3))), 400, "bad-input",
                "model " + coupled, "full=true");
    }

    @Test
    void nanIsRejectedNamingTheSamples() {
        INDArray x = Arrays2.randn(4, DataType.FLOAT, 7, 1, 6, 6);
        x.putScalar(new long[] {4, 0, 2, 3}, Float.NaN);
        assertProblem(post(mlp, "", Arrays2.npy(x)), 400, "bad-input", "body, samples 3..5", "1 NaN", "non-finite policy: reject");
    }

    @Test
    void badQueriesAre400() {
        byte[] x = Arrays2.npy(Arrays2.randn(5, DataType.FLOAT, 2, 1, 6, 6));
        assertProblem(post(mlp, "?wrt=output", x), 400, "bad-parameter", "wrt='output'", "input or params");
        assertProblem(post(mlp, "?full=yes", x), 400, "bad-parameter", "full='yes' is not a boolean");
        assertProblem(post(mlp, "?dtype=float16", x), 400, "bad-parameter", "float32 or float64");
        assertProblem(post(mlp, "?wrt=params&full=true", x), 400, "bad-parameter", "cannot be combined");
        assertProblem(post(mlp, "?chunk=4", x), 400, "bad-parameter", "unknown parameter 'chunk'; expected dtype, full, wrt");
        assertProblem(post(mlp, "?dtype=float32&dtype=float64", x), 400, "bad-parameter", "given 2 times");
        String grads = "/v1/models/" + mlp + "/grads";
        var parts = BodyInserters.fromMultipartData(npyParts("input", x, "targets", Arrays2.npy(Arrays2.labels(6, 2, 5))));
        assertProblem(client.post().uri(grads).body(parts).exchange(), 400, "bad-parameter", "loss is missing");
        assertProblem(client.post().uri(grads + "?loss=hinge").body(parts).exchange(), 400, "bad-parameter", "loss='hinge'");
        assertProblem(client.post().uri(grads + "?loss=mse&norms=1").body(parts).exchange(), 400, "bad-parameter", "norms='1'");
    }

    @Test
    void badTargetsAre400() {
        byte[] x = Arrays2.npy(Arrays2.randn(7, DataType.FLOAT, 4, 1, 6, 6));
        String ce = "/v1/models/" + mlp + "/grads?loss=cross_entropy";
        assertProblem(client.post().uri(ce).body(BodyInserters.fromMultipartData(npyParts("input", x, "targets",
                Arrays2.npy(Arrays2.randn(8, DataType.FLOAT, 4))))).exchange(), 400, "bad-input",
                "part 'targets': wrong dtype float32; cross_entropy expects integer class indices");
        assertProblem(client.post().uri(ce).body(BodyInserters.fromMultipartData(npyParts("input", x, "targets",
                Arrays2.npy(Arrays2.labels(9, 3, 5))))).exchange(), 400, "bad-input", "wrong length: 3 targets for the 4 samples");
        INDArray labels = Arrays2.labels(10, 4, 5);
        labels.putScalar(2, 5);
        assertProblem(client.post().uri(ce).body(BodyInserters.fromMultipartData(npyParts("input", x, "targets", Arrays2.npy(labels))))
                .exchange(), 400, "bad-input", "target 5 at index 2 is out of range", "[0, 5)");
        assertProblem(client.post().uri("/v1/models/" + mlp + "/grads?loss=mse").body(BodyInserters.fromMultipartData(npyParts("input", x,
                "targets", Arrays2.npy(Arrays2.randn(11, DataType.FLOAT, 4, 6))))).exchange(), 400, "bad-input",
                "targets of shape [4, 6] do not match the model's outputs [4, 5]");
        assertProblem(client.post().uri(ce).body(BodyInserters.fromMultipartData(npyParts("input", x, null, null))).exchange(), 400,
                "bad-input", "missing part 'targets'");
        assertProblem(client.post().uri(ce).contentType(NPY).bodyValue(x).exchange(), 415, "unsupported-media-type", "'input' and 'targets'");
    }

    @Test
    void unknownModelsAre404() {
        byte[] x = Arrays2.npy(Arrays2.randn(12, DataType.FLOAT, 2, 1, 6, 6));
        assertProblem(post("0123456789abcdef", "", x), 404, "not-found", "no model '0123456789abcdef'");
        assertProblem(post("NOT-AN-ID", "", x), 404, "not-found", "no model 'NOT-AN-ID'");
        assertProblem(client.get().uri("/v1/nothing").exchange(), 404, "not-found", "no route for GET /v1/nothing");
    }

    @Test
    void bodiesOverTheRequestLimitAre413WithOrWithoutALength() {
        byte[] big = new byte[(1 << 20) + 1];
        assertProblem(post(mlp, "", big), 413, "request-too-large", "Content-Length", "jacflux.limits.max-request-size 1MiB");
        // chunked: no Content-Length, counted while read
        Flux<DataBuffer> chunks = Flux.range(0, 40).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(i == 0
                ? Arrays2.npy(Arrays2.randn(13, DataType.FLOAT, 20000, 1, 6, 6))
                : new byte[64 * 1024]));
        assertProblem(client.post().uri("/v1/models/" + mlp + "/jacobian").contentType(NPY)
                .body(BodyInserters.fromDataBuffers(chunks)).exchange(), 413, "request-too-large", "more than 1048576 bytes");
    }

    @Test
    void aResultOverTheLimitIs422NamingShapeAndBytes() {
        byte[] x = Arrays2.npy(Arrays2.randn(14, DataType.FLOAT, 400, 1, 6, 6));
        assertProblem(post(mlp, "?full=true", x), 422, "result-too-large", "the result [400, 5, 400, 1, 6, 6] float32 would be 115200000 bytes",
                "jacflux.limits.max-result-size 64MiB (67108864 bytes)");
    }

    @Test
    void whenEveryJobSlotIsTakenTheAnswerIs429WithRetryAfter() throws Exception {
        byte[] x = Arrays2.npy(Arrays2.randn(15, DataType.FLOAT, 2, 1, 6, 6));
        assertTrue(slots.awaitIdle(Duration.ofSeconds(60)), "no job of another test still running");
        List<JobSlots.Slot> taken = new ArrayList<>();
        slots.tryAcquire().ifPresent(taken::add);
        slots.tryAcquire().ifPresent(taken::add);
        assertEquals(2, taken.size());
        try {
            WebTestClient.ResponseSpec r = post(mlp, "", x);
            r.expectHeader().valueEquals("Retry-After", "7");
            assertProblem(r, 429, "too-many-jobs", "2 jobs are running already", "jacflux.limits.max-concurrent-jobs");
        } finally {
            taken.forEach(JobSlots.Slot::close);
        }
        post(mlp, "", x).expectStatus().isOk();
        assertTrue(slots.awaitIdle(Duration.ofSeconds(60)), "the slot of the last request is freed");
    }
}
