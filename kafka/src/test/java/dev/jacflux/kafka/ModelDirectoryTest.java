package dev.jacflux.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ModelDirectoryTest {
    @TempDir
    Path tmp;

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
        Model m = TestModels.mlp(4, 6, 3, 11);
        String id = TestModels.add(dir, m);

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
        assertEquals(id, TestModels.add(dir, m));
        assertEquals(List.of(id), dir.ids());
        // a different model gets a different id
        String other = TestModels.add(dir, TestModels.mlp(4, 6, 3, 12));
        assertFalse(other.equals(id));
        assertEquals(2, dir.ids().size());
    }

    @Test
    void unknownAndMalformedIdsAndChangedFilesAreRefusedClearly() throws Exception {
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        String id = TestModels.add(dir, TestModels.mlp(4, 6, 3, 11));

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
        byte[] emptyNpz = dev.jacflux.model.io.Npz.toNpz(java.util.Map.of());
        ModelException e = assertThrows(ModelException.class, () -> dir.add(json, emptyNpz));
        assertTrue(e.getMessage().contains("fc.weight"), e.getMessage());
        assertEquals(List.of(), dir.ids());
    }
}
