package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.io.ModelFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's command line without a broker: add-model, usage errors. */
class WorkerMainTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        WorkerMain main = new WorkerMain(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return main.commandLine().execute(args);
    }

    @Test
    void addModelStoresTheModelUnderItsIdAndPrintsIt() throws Exception {
        Path file = tmp.resolve("src").resolve("net.json");
        ModelFile.save(TestModels.mlp(3, 4, 2, 9), file);
        Path models = tmp.resolve("models");

        assertEquals(0, run("add-model", "--models", models.toString(), file.toString()), err.toString());
        String id = out.toString(StandardCharsets.UTF_8).trim().split("\\s+")[0];
        assertTrue(ModelDirectory.isId(id), out.toString());
        byte[] json = Files.readAllBytes(models.resolve(id).resolve("model.json"));
        byte[] weights = Files.readAllBytes(models.resolve(id).resolve("weights.npz"));
        assertEquals(id, ModelDirectory.id(json, weights));
    }

    @Test
    void missingOptionsAndBadDirectoriesAreUsageErrors() {
        assertEquals(2, run("--group", "g"));
        assertTrue(err.toString().contains("Missing required options: --bootstrap-servers, --input-topic, --output-topic, --models"),
                err.toString());
        err.reset();
        assertEquals(2, run("--bootstrap-servers", "localhost:1", "--group", "g", "--input-topic", "a", "--output-topic", "b",
                "--models", tmp.resolve("nope").toString()));
        assertTrue(err.toString().startsWith("jacflux worker: --models "), err.toString());
        assertTrue(err.toString().contains("not a directory"), err.toString());
        err.reset();
        assertEquals(2, run("--bootstrap-servers", "localhost:1", "--group", "g", "--input-topic", "a", "--output-topic", "a",
                "--models", tmp.toString()));
        assertTrue(err.toString().contains("output topic must differ from the input topic"), err.toString());
        err.reset();
        assertEquals(2, run("add-model", "--models", tmp.resolve("m").toString(), tmp.resolve("missing.json").toString()));
        assertTrue(err.toString().startsWith("jacflux worker: "), err.toString());
        assertTrue(!err.toString().contains("Exception"), err.toString());
    }
}
