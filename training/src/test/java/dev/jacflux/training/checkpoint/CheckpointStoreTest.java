package dev.jacflux.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.training.privacy.RdpAccountant;
import dev.jacflux.training.step.OptimizerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checkpoint directories: complete or absent, the newest two kept, the model loadable as a model file. */
class CheckpointStoreTest {
    @TempDir
    Path dir;

    private static Model model(long seed) {
        return Model.initialize(Sequential.of(new long[] {3}, Linear.of("fc1", 3, 4), new Tanh(), Linear.of("fc2", 4, 2)), DataType.FLOAT, seed);
    }

    private static CheckpointInfo info(long step, Long seed) {
        return new CheckpointInfo(step, 10 * step, true, "poisson", 100, 10, 0.1, 1.0, 1.1, 0.1, 0.9, 1e-5, seed, "float32",
                List.of(new RdpAccountant.Entry(1.1, 0.1, step)), 0.5 + step, "private");
    }

    @Test
    void writesReadsAndKeepsTheNewestTwo() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Model m = model(1);
        List<INDArray> velocity = m.parameters().stream().map(a -> a.mul(0.5)).toList();
        for (long step : new long[] {5, 10, 15}) {
            store.write(new Checkpoint(m, new OptimizerState(velocity), info(step, step == 15 ? null : 7L), null));
        }
        assertEquals(List.of("step-00000010", "step-00000015"), store.checkpoints().stream().map(p -> p.getFileName().toString()).toList());
        Checkpoint c = store.latest().orElseThrow();
        assertEquals(info(15, null), c.info());
        assertNull(c.info().seed());
        for (int i = 0; i < velocity.size(); i++) {
            assertEquals(0, c.optimizer().velocity().get(i).sub(velocity.get(i)).amaxNumber().doubleValue(), 0);
            assertEquals(0, c.model().parameters().get(i).sub(m.parameters().get(i)).amaxNumber().doubleValue(), 0);
        }
        // the weights are an ordinary model file with state_dict keys
        Model loaded = ModelFile.load(c.directory().resolve("model.json"), DataType.FLOAT);
        assertEquals(m.stateDict().keySet(), loaded.stateDict().keySet());
        JsonNode state = new ObjectMapper().readTree(Files.readString(c.directory().resolve("state.json")));
        assertEquals("jacflux-checkpoint/1", state.get("format").asText());
        assertEquals(15, state.get("accountant").get(0).get("steps").asLong());
        try (Stream<Path> s = Files.list(store.root())) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary directory left");
        }
    }

    /** A half-written checkpoint (a crash before the rename) is a hidden temporary directory: never read. */
    @Test
    void anIncompleteCheckpointIsIgnored() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.write(new Checkpoint(model(2), OptimizerState.EMPTY, info(20, 1L), null));
        Path partial = store.root().resolve(".step-25.abc.tmp");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("model.json"), "{");
        Path noState = store.root().resolve("step-00000030");
        Files.createDirectories(noState);
        assertEquals(20, store.latest().orElseThrow().info().step());
        assertTrue(store.latest().orElseThrow().optimizer().isEmpty());
    }

    @Test
    void noCheckpointYet() {
        assertTrue(new CheckpointStore(dir.resolve("fresh")).latest().isEmpty());
    }
}
