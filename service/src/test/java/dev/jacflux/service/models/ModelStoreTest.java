package dev.jacflux.service.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.Model;
import dev.jacflux.service.support.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The store's directory contract (shared with the command line and the Kafka worker). */
class ModelStoreTest {
    @TempDir
    Path data;
    @TempDir
    Path work;

    @Test
    void modelsSurviveANewStoreOnTheSameDirectory() {
        TestModels.Files2 f = TestModels.write(TestModels.mlp(), 1, work);
        String id = new ModelStore(data).save(f.json(), f.weights()).model().id();
        ModelStore again = new ModelStore(data);
        assertEquals(List.of(id), again.list().stream().map(StoredModel::id).toList());
        Model m = again.load(id, DataType.DOUBLE);
        assertEquals(DataType.DOUBLE, m.dtype());
        assertTrue(again.delete(id));
        assertFalse(again.delete(id));
        assertTrue(again.find(id).isEmpty());
        assertThat(data.resolve("models").toFile().list()).isEmpty();
    }

    @Test
    void leftoversOfAnInterruptedUploadAreRemovedAtStart() throws Exception {
        Files.createDirectories(data.resolve("models/.incoming-1234"));
        Files.writeString(data.resolve("models/.incoming-1234/model.json"), "{");
        new ModelStore(data);
        assertThat(data.resolve("models").toFile().list()).isEmpty();
    }

    @Test
    void concurrentUploadsOfTheSameModelStoreItOnce() throws Exception {
        TestModels.Files2 f = TestModels.write(TestModels.cnn(), 2, work);
        ModelStore store = new ModelStore(data);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Callable<ModelStore.Saved> save = () -> store.save(f.json(), f.weights());
            List<Future<ModelStore.Saved>> all = pool.invokeAll(List.of(save, save, save, save));
            String id = all.get(0).get().model().id();
            long created = 0;
            for (Future<ModelStore.Saved> s : all) {
                assertEquals(id, s.get().model().id());
                created += s.get().created() ? 1 : 0;
            }
            assertThat(created).isBetween(1L, 4L);
            assertThat(data.resolve("models").toFile().list()).containsExactly(id);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUnloadableModelLeavesNothingBehind() {
        TestModels.Files2 mlp = TestModels.write(TestModels.mlp(), 3, work);
        TestModels.Files2 wide = TestModels.write(TestModels.wide(), 3, work);
        ModelStore store = new ModelStore(data);
        ModelStore.InvalidModelException e = assertThrows(ModelStore.InvalidModelException.class, () -> store.save(mlp.json(), wide.weights()));
        assertThat(e.getMessage()).startsWith("part 'model' (model.json)").doesNotContain(data.toString());
        assertThat(data.resolve("models").toFile().list()).isEmpty();
    }

    @Test
    void aModelNamingAnotherWeightsFileGetsTheIdTheWorkerAndTheCommandLineGiveIt() throws Exception {
        Path dir = Files.createDirectories(work.resolve("other-name"));
        dev.jacflux.model.io.ModelFile.save(Model.initialize(TestModels.mlp(), DataType.FLOAT, 5), dir.resolve("m.json"));
        byte[] json = Files.readAllBytes(dir.resolve("m.json"));
        assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8)).contains("m.npz");
        String uploaded = new ModelStore(data).save(json, Files.readAllBytes(dir.resolve("m.npz"))).model().id();
        String added = new dev.jacflux.model.io.ModelDirectory(work.resolve("worker-models")).add(dir.resolve("m.json"));
        assertEquals(uploaded, added, "one model, one id, however it is stored");
    }

    @Test
    void idsAreWellFormedOrNotFound() {
        ModelStore store = new ModelStore(data);
        assertTrue(store.find("../models").isEmpty());
        assertTrue(store.find("0123456789ABCDEF").isEmpty());
        assertFalse(dev.jacflux.model.io.ModelDirectory.isId("0123456789abcde"));
        assertTrue(dev.jacflux.model.io.ModelDirectory.isId("0123456789abcdef"));
    }
}
