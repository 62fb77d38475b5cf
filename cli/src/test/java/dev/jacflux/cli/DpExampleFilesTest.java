package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.training.examples.SyntheticClassification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** examples/dp-mlp: the committed files are the generator's, and the README's training transcript runs on them. */
class DpExampleFilesTest {
    static final Path EXAMPLE = Path.of("..", "examples", "dp-mlp");

    @TempDir
    Path dir;

    @Test
    void theCommittedFilesAreWhatTheGeneratorWrites() throws IOException {
        DpExampleFiles.write(dir);
        for (String f : List.of("weights.npz", "data.npz")) {
            Map<String, INDArray> committed = Npz.read(EXAMPLE.resolve(f));
            Map<String, INDArray> fresh = Npz.read(dir.resolve(f));
            assertEquals(fresh.keySet(), committed.keySet(), f);
            for (String k : fresh.keySet()) {
                assertEquals(0, Cli.maxDiff(committed.get(k).castTo(DataType.DOUBLE), fresh.get(k).castTo(DataType.DOUBLE)), 0, f + " " + k);
            }
        }
        assertEquals(Files.readString(dir.resolve("model.json")), Files.readString(EXAMPLE.resolve("model.json")));
    }

    /** The README's commands: a private training to epsilon 2 and the privacy calculator; the model then beats chance by far. */
    @Test
    void theReadmeCommandsRunOnTheExample() throws IOException {
        Path out = dir.resolve("run1");
        Cli.ok("train", "--model", EXAMPLE.resolve("model.json").toString(), "--data", EXAMPLE.resolve("data.npz").toString(), "--out",
                out.toString(), "--dp", "--target-epsilon", "2", "--batch-size", "50", "--epochs", "5", "--lr", "1", "--quiet");
        List<String> lines = Files.readAllLines(out.resolve("steps.ndjson"));
        assertEquals(100, lines.size(), "5 epochs at q = 50/1000");
        JsonNode last = new ObjectMapper().readTree(lines.get(99));
        assertTrue(last.get("epsilon").asDouble() <= 2.0 && last.get("epsilon").asDouble() > 1.99, last.toString());
        assertEquals("private", last.get("privacy").asText());
        Model trained = ModelFile.load(out.resolve("model.json"), DataType.FLOAT);
        var test = DpExampleFiles.TASK.sample(1000, 2L);
        double accuracy = SyntheticClassification.accuracy(trained.forward(test.x()), test.y());
        assertTrue(accuracy > 0.6, "held-out accuracy " + accuracy + " (chance 0.25)");
        Cli.Result p = Cli.ok("privacy", "--noise-multiplier", "1.0", "--sample-rate", "0.05", "--steps", "100", "--delta", "1e-5");
        assertTrue(p.out().startsWith("epsilon 4.0"), p.out());
    }
}
