package dev.jacflux.service.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.io.Npz;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TrainingClient;
import dev.jacflux.service.support.TrainingSets;
import dev.jacflux.training.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;

/** Dataset upload, listing, getting and deleting; every error as problem+json. */
class DatasetEndpointsTest extends ServiceTestBase {

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec post(String n1, byte[] b1, String n2, byte[] b2) {
        return client.post().uri("/v1/datasets").body(BodyInserters.fromMultipartData(npyParts(n1, b1, n2, b2))).exchange();
    }

    /** The id is the SHA-256 of the stored x.npy bytes then y.npy bytes; the files are stored as uploaded; the same upload gives the same id. */
    @Test
    @SuppressWarnings("unchecked")
    void uploadStoresTheArraysUnderTheirContentHash() throws Exception {
        Dataset d = TrainingSets.data(37, 9);
        byte[] x = TrainingSets.xNpy(d);
        byte[] y = TrainingSets.yNpy(d);
        TrainingClient t = new TrainingClient(client);
        Map<String, Object> a = t.uploadDataset(x, y);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(x);
        sha.update(y);
        String id = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        assertEquals(id, a.get("id"));
        assertEquals(37, ((Number) a.get("examples")).intValue());
        assertEquals(List.of(37, 20), a.get("x_shape"));
        assertEquals("float32", a.get("x_dtype"));
        assertEquals(List.of(37), a.get("y_shape"));
        assertEquals("int64", a.get("y_dtype"));
        Path dir = DATA.resolve("datasets").resolve(id);
        assertTrue(Arrays.equals(x, Files.readAllBytes(dir.resolve("x.npy"))));
        assertTrue(Arrays.equals(y, Files.readAllBytes(dir.resolve("y.npy"))));
        assertEquals(id, t.uploadDataset(x, y).get("id"), "the same arrays, the same id");

        Map<String, Object> one = client.get().uri("/v1/datasets/{id}", id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertEquals(a, one);
        Map<String, Object> all = client.get().uri("/v1/datasets").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertTrue(((List<Map<String, Object>>) all.get("datasets")).stream().anyMatch(m -> id.equals(m.get("id"))));

        client.delete().uri("/v1/datasets/{id}", id).exchange().expectStatus().isNoContent();
        assertTrue(!Files.exists(dir));
        assertProblem(client.get().uri("/v1/datasets/{id}", id).exchange(), 404, "not-found", "no dataset '" + id + "'");
        assertProblem(client.delete().uri("/v1/datasets/{id}", id).exchange(), 404, "not-found", "no dataset '" + id + "'");
    }

    @Test
    void badUploadsAre400NamingThePart() {
        Dataset d = TrainingSets.data(10, 3);
        byte[] x = TrainingSets.xNpy(d);
        byte[] y = TrainingSets.yNpy(d);
        assertProblem(post("x", x, null, null), 400, "bad-input", "missing part 'y'");
        assertProblem(post("x", x, "z", y), 400, "bad-input", "unexpected part 'z'");
        assertProblem(post("x", Npz.toNpy(d.y()), "y", y), 400, "bad-input", "part 'x': wrong dtype int64; expected float32 or float64");
        assertProblem(post("x", Npz.toNpy(Nd4j.rand(DataType.FLOAT, 10)), "y", y), 400, "bad-input", "part 'x': shape [10]",
                "[N, *input_shape]");
        assertProblem(post("x", x, "y", Npz.toNpy(d.y().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 9)).dup())), 400,
                "bad-input", "part 'y': shape [9] does not have one row per example of part 'x' (10 rows");
        INDArray nan = d.x().dup();
        nan.putScalar(new long[] {3, 5}, Double.NaN);
        assertProblem(post("x", Npz.toNpy(nan), "y", y), 400, "bad-input", "part 'x' [10, 20] contains 1 NaN", "[3, 5]",
                "training data must be finite");
        assertProblem(post("x", Arrays.copyOf(x, x.length - 4), "y", y), 400, "bad-input", "part 'x'", "truncated");
        assertProblem(post("x", "not npy at all".getBytes(), "y", y), 400, "bad-input", "part 'x'");
        assertProblem(client.post().uri("/v1/datasets").contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange(), 415,
                "unsupported-media-type", "multipart/form-data", "'x' and 'y'");
        assertEquals(List.of(), leftovers(), "no upload leftovers");
    }

    @Test
    void datasetsNeedTheToken() {
        assertProblem(anonymous.get().uri("/v1/datasets").exchange(), 401, "unauthorized", "missing token");
        assertProblem(anonymous.post().uri("/v1/trainings").contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange(), 401,
                "unauthorized", "missing token");
        assertProblem(anonymous.get().uri("/v1/trainings/0123456789abcdef/events").exchange(), 401, "unauthorized", "missing token");
    }

    private static List<String> leftovers() {
        try (var s = Files.list(DATA.resolve("datasets"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
