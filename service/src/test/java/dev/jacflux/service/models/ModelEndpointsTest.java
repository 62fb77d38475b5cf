package dev.jacflux.service.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;

/** {@code /v1/models}: upload, list, get, delete, the files on disk, and the upload errors. */
class ModelEndpointsTest extends ServiceTestBase {

    private static String sha16(byte[] a, byte[] b) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(a);
        d.update(b);
        return HexFormat.of().formatHex(d.digest()).substring(0, 16);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anUploadIsStoredUnderItsContentHashAndDescribed() throws Exception {
        TestModels.Files2 files = TestModels.write(TestModels.cnn(), 51, WORK);
        Map<String, Object> body = client.post().uri("/v1/models")
                .body(BodyInserters.fromMultipartData(multipart(files.json(), files.weights())))
                .exchange()
                .expectStatus().isCreated()
                .expectHeader().valueMatches("Location", "/v1/models/[0-9a-f]{16}")
                .expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) body.get("id");
        assertEquals(sha16(files.json(), files.weights()), id, "id = first 16 hex of sha256(model.json bytes + weights.npz bytes)");
        Model direct = ModelFile.load(files.jsonPath(), DataType.FLOAT);
        assertEquals(List.of(2, 6, 6), body.get("input_shape"));
        assertEquals(List.of(4), body.get("output_shape"));
        assertEquals(direct.parameterCount(), ((Number) body.get("parameters")).longValue());
        List<Map<String, Object>> layers = (List<Map<String, Object>>) body.get("layers");
        assertEquals(List.of("conv2d", "relu", "maxpool2d", "flatten", "linear"), layers.stream().map(l -> l.get("type")).toList());
        assertEquals("conv", layers.get(0).get("name"));
        assertEquals(List.of(3, 4, 4), layers.get(0).get("output_shape"));
        assertEquals(3L * 2 * 3 * 3 + 3, ((Number) layers.get(0).get("parameters")).longValue());

        Path dir = DATA.resolve("models").resolve(id);
        assertArrayEquals(files.json(), Files.readAllBytes(dir.resolve("model.json")), "model.json stored as uploaded");
        assertArrayEquals(files.weights(), Files.readAllBytes(dir.resolve("weights.npz")));
        Model stored = ModelFile.load(dir.resolve("model.json"), DataType.FLOAT);   // what `jacflux ... --model` reads
        assertEquals(direct.parameterVector(), stored.parameterVector());

        assertEquals(id, upload(files), "the same files again: the same id");
        Map<String, Object> one = client.get().uri("/v1/models/" + id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertEquals(body, one);
        Map<String, Object> all = client.get().uri("/v1/models").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertTrue(((List<Map<String, Object>>) all.get("models")).stream().anyMatch(m -> m.equals(body)));
    }

    @Test
    void aModelNamingAnotherWeightsFileIsStoredNamingWeightsNpz() throws Exception {
        TestModels.Files2 files = TestModels.write(TestModels.mlp(), 52, WORK);
        byte[] renamed = new String(files.json(), StandardCharsets.UTF_8).replace("\"weights.npz\"", "\"mlp-weights.npz\"")
                .getBytes(StandardCharsets.UTF_8);
        String id = upload(new TestModels.Files2(renamed, files.weights(), files.dir()));
        byte[] stored = Files.readAllBytes(DATA.resolve("models").resolve(id).resolve("model.json"));
        assertThat(new String(stored, StandardCharsets.UTF_8)).contains("\"weights\" : \"weights.npz\"").doesNotContain("mlp-weights");
        assertEquals(sha16(stored, files.weights()), id, "the id is the hash of the stored files");
        assertNotEquals(sha16(files.json(), files.weights()), id);
    }

    @Test
    void deletedModelsAreGone() {
        String id = upload(TestModels.write(TestModels.mlp(), 53, WORK));
        client.delete().uri("/v1/models/" + id).exchange().expectStatus().isNoContent();
        assertTrue(Files.notExists(DATA.resolve("models").resolve(id)));
        assertProblem(client.get().uri("/v1/models/" + id).exchange(), 404, "not-found", "no model '" + id + "'");
        assertProblem(client.delete().uri("/v1/models/" + id).exchange(), 404, "not-found", id);
        assertProblem(client.post().uri("/v1/models/" + id + "/jacobian").bodyValue(new byte[] {1}).exchange(), 404, "not-found", id);
        assertProblem(client.get().uri("/v1/models/not-an-id").exchange(), 404, "not-found", "not-an-id");
    }

    @Test
    void anInvalidModelIsRefusedNamingThePartLayerAndFieldButNoServerPath() {
        TestModels.Files2 mlp = TestModels.write(TestModels.mlp(), 54, WORK);
        TestModels.Files2 cnn = TestModels.write(TestModels.cnn(), 54, WORK);
        String detail = assertProblem(client.post().uri("/v1/models")
                .body(BodyInserters.fromMultipartData(multipart(mlp.json(), cnn.weights()))).exchange(), 400, "bad-input",
                "part 'model' (model.json)", "fc1");
        assertThat(detail).doesNotContain(DATA.toString()).doesNotContain(".incoming");
        assertProblem(client.post().uri("/v1/models")
                .body(BodyInserters.fromMultipartData(multipart("{\"format\": ".getBytes(StandardCharsets.UTF_8), mlp.weights())))
                .exchange(), 400, "bad-input", "part 'model'", "not valid JSON");
        assertProblem(client.post().uri("/v1/models")
                .body(BodyInserters.fromMultipartData(multipart(mlp.json(), "not a zip".getBytes(StandardCharsets.UTF_8))))
                .exchange(), 400, "bad-input", "part 'weights' (weights.npz)", "not a NumPy .npz archive");
        assertThat(DATA.resolve("models").toFile().list()).noneMatch(n -> n.startsWith(".incoming"));
    }

    @Test
    void missingOrUnexpectedPartsAndOtherBodiesAreRefused() {
        TestModels.Files2 m = TestModels.write(TestModels.mlp(), 55, WORK);
        assertProblem(client.post().uri("/v1/models").body(BodyInserters.fromMultipartData(npyParts("model", m.json(), null, null)))
                .exchange(), 400, "bad-input", "missing part 'weights'");
        assertProblem(client.post().uri("/v1/models").body(BodyInserters.fromMultipartData(npyParts("model", m.json(), "extra",
                m.weights()))).exchange(), 400, "bad-input", "unexpected part 'extra'");
        assertProblem(client.post().uri("/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(m.json()).exchange(), 415,
                "unsupported-media-type", "multipart/form-data", "'model' and 'weights'");
    }
}
