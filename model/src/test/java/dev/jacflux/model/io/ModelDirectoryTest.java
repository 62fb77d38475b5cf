package dev.jacflux.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The content-addressed model directory shared by the command line, the service and the Kafka worker. */
class ModelDirectoryTest {
    @TempDir
    Path tmp;

    /** {@code in -> hidden (tanh) -> out}, PyTorch-style initialisation from {@code seed}. */
    private static Model mlp(long in, long hidden, long out, long seed) {
        Sequential arch = new Sequential(new long[] {in}, List.of(Linear.of("fc1", in, hidden), new Tanh(), Linear.of("fc2", hidden, out)));
        return Model.initialize(arch, DataType.DOUBLE, seed);
    }

    /** Saves {@code model} as m.json / m.npz (so the directory rewrites the weights name) and adds it. */
    private String add(ModelDirectory dir, Model model) throws IOException {
        Path files = Files.createTempDirectory(tmp, "files-");
        ModelFile.save(model, files.resolve("m.json"));
        return dir.add(files.resolve("m.json"));
    }

    @Test
    void idIsTheStartOfSha256OverJsonThenWeights() {
        // the SHA-256 test vector of "abc" (FIPS 180-2): ba7816bf 8f01cfea 414140de ...
        assertEquals("ba7816bf8f01cfea", ModelDirectory.id("ab".getBytes(StandardCharsets.US_ASCII), "c".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("ba7816bf8f01cfea", ModelDirectory.id(new byte[0], "abc".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(ModelDirectory.isId("ba7816bf8f01cfea"));
        assertFalse(ModelDirectory.isId("BA7816BF8F01CFEA"));
        assertFalse(ModelDirectory.isId("../../etc/passwd"));
        assertFalse(ModelDirectory.isId("ba7816bf8f01cfe"));
    }

    @Test
    void addStoresTheLayoutTheIdNamesAndLoadsTheSameModel() throws Exception {
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        Model m = mlp(4, 6, 3, 11);
        String id = add(dir, m);

        Path stored = tmp.resolve("models").resolve(id);
        byte[] json = Files.readAllBytes(stored.resolve("model.json"));
        byte[] weights = Files.readAllBytes(stored.resolve("weights.npz"));
        assertEquals(id, ModelDirectory.id(json, weights));
        assertTrue(new String(json, StandardCharsets.UTF_8).contains("\"weights\" : \"weights.npz\""), "weights field rewritten");
        assertEquals(List.of(id), dir.ids());

        Model loaded = dir.load(id, DataType.DOUBLE);
        assertEquals(m.parameters().size(), loaded.parameters().size());
        for (int i = 0; i < m.parameters().size(); i++) {
            INDArray a = m.parameters().get(i);
            INDArray b = loaded.parameters().get(i);
            assertEquals(a, b, "parameter " + i);
        }
        // adding again changes nothing
        assertEquals(id, add(dir, m));
        assertEquals(List.of(id), dir.ids());
        // a different model gets a different id
        String other = add(dir, mlp(4, 6, 3, 12));
        assertFalse(other.equals(id));
        assertEquals(2, dir.ids().size());
    }

    @Test
    void unknownAndMalformedIdsAndChangedFilesAreRefusedClearly() throws Exception {
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        String id = add(dir, mlp(4, 6, 3, 11));

        UnknownModelException none = assertThrows(UnknownModelException.class, () -> dir.load("0123456789abcdef", DataType.FLOAT));
        assertEquals("unknown model '0123456789abcdef': no such model in the model directory", none.getMessage());
        UnknownModelException bad = assertThrows(UnknownModelException.class, () -> dir.load("../x", DataType.FLOAT));
        assertTrue(bad.getMessage().startsWith("unknown model '../x': not a model id"), bad.getMessage());

        Path w = tmp.resolve("models").resolve(id).resolve("weights.npz");
        byte[] bytes = Files.readAllBytes(w);
        bytes[bytes.length - 1] ^= 1;
        Files.write(w, bytes);
        ModelException changed = assertThrows(ModelException.class, () -> dir.load(id, DataType.FLOAT));
        assertTrue(changed.getMessage().startsWith("model " + id + ": its files hash to "), changed.getMessage());
        assertFalse(changed.getMessage().contains(tmp.toString()), "no machine paths in messages: " + changed.getMessage());
    }

    @Test
    void aModelThatDoesNotLoadIsNotAdded() {
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        byte[] json = "{\"format\": \"jacflux-model/1\", \"input_shape\": [4], \"weights\": \"weights.npz\", \"layers\": [{\"type\": \"linear\", \"name\": \"fc\", \"in_features\": 4, \"out_features\": 2}]}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] emptyNpz = Npz.toNpz(java.util.Map.of());
        ModelException e = assertThrows(ModelException.class, () -> dir.add(json, emptyNpz, "part 'model' (model.json)", "part 'weights'"));
        assertTrue(e.getMessage().contains("fc.weight"), e.getMessage());
        assertTrue(e.getMessage().startsWith("part 'model' (model.json)"), e.getMessage());
        assertFalse(e.getMessage().contains(tmp.toString()), "no machine paths in messages: " + e.getMessage());
        assertEquals(List.of(), dir.ids());
        assertEquals(0, tmp.resolve("models").toFile().list().length, "no temporary directory left behind");
    }

    @Test
    void aJsonNamingWeightsNpzIsStoredByteForByte() throws Exception {
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        Path files = Files.createDirectories(tmp.resolve("files"));
        ModelFile.save(mlp(3, 4, 2, 5), files.resolve("model.json"), "weights.npz");
        byte[] json = Files.readAllBytes(files.resolve("model.json"));
        byte[] weights = Files.readAllBytes(files.resolve("weights.npz"));
        ModelDirectory.Added added = dir.add(json, weights);
        assertTrue(added.created());
        assertEquals(ModelDirectory.id(json, weights), added.id(), "the id of the uploaded bytes, unchanged");
        assertEquals(java.util.Arrays.toString(json), java.util.Arrays.toString(Files.readAllBytes(dir.modelFile(added.id()))));
        ModelDirectory.Added again = dir.add(json, weights);
        assertFalse(again.created());
        assertEquals(added.id(), again.id());
    }

    @Test
    void deleteRemovesTheModelAndPrepareRemovesLeftovers() throws Exception {
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        String id = add(dir, mlp(3, 4, 2, 6));
        Files.createDirectories(tmp.resolve("models/.incoming-1234"));
        Files.writeString(tmp.resolve("models/.incoming-1234/model.json"), "{");
        assertEquals(List.of(id), dir.ids(), "temporary directories are never models");
        dir.prepare();
        assertEquals(List.of(id), List.of(tmp.resolve("models").toFile().list()));
        assertTrue(dir.delete(id));
        assertFalse(dir.delete(id));
        assertFalse(dir.contains(id));
        assertFalse(dir.delete("../models"));
        assertEquals(0, tmp.resolve("models").toFile().list().length);
    }
}
