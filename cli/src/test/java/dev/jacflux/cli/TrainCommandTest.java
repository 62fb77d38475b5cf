package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingOptions;
import dev.jacflux.training.examples.SyntheticClassification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code jacflux train}: outputs, the step log, the same weights as the library, resume. */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Model model;
    static Dataset data;

    @BeforeAll
    static void fixtures() throws IOException {
        model = Model.initialize(Sequential.of(new long[] {20}, Linear.of("fc1", 20, 16), new Tanh(), Linear.of("fc2", 16, 4)), DataType.FLOAT, 3);
        Cli.save(model, dir, "mlp");
        data = new SyntheticClassification(20, 4, 0.05, 7).sample(300, 1);
        Files.write(dir.resolve("data.npz"), Npz.toNpz(Map.of("x", data.x().castTo(DataType.FLOAT), "y", data.y())));
    }

    private static String p(String name) {
        return dir.resolve(name).toString();
    }

    private static List<JsonNode> steps(Path out) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("steps.ndjson"))) {
            l.add(JSON.readTree(line));
        }
        return l;
    }

    private static double maxDiff(Model a, Model b) {
        double m = 0;
        for (int i = 0; i < a.parameters().size(); i++) {
            m = Math.max(m, a.parameters().get(i).sub(b.parameters().get(i)).amaxNumber().doubleValue());
        }
        return m;
    }

    @Test
    void privateTrainingWritesModelWeightsStepsAndCheckpoints() throws IOException {
        Path out = dir.resolve("dp");
        Cli.Result r = Cli.ok("train", "--model", p("mlp.json"), "--data", p("data.npz"), "--out", out.toString(), "--dp",
                "--noise-multiplier", "1.1", "--batch-size", "30", "--epochs", "2", "--lr", "0.5", "--seed", "4", "--checkpoint-every", "8");
        assertTrue(r.out().contains("not private: seeded noise"), r.out());
        List<JsonNode> s = steps(out);
        assertEquals(20, s.size(), "2 epochs at q = 30/300");
        double prev = 0;
        for (int i = 0; i < s.size(); i++) {
            JsonNode n = s.get(i);
            assertEquals(i + 1, n.get("step").asLong());
            assertTrue(n.get("epsilon").asDouble() > prev, "epsilon grows");
            prev = n.get("epsilon").asDouble();
            assertEquals("not private: seeded noise", n.get("privacy").asText());
            for (String f : List.of("epoch", "batch_size", "loss", "clipped_fraction", "grad_norm_median", "delta", "noise_multiplier",
                    "samples_per_second", "seconds")) {
                assertTrue(n.has(f), f);
            }
        }
        // the weights: state_dict keys, loadable, and what the library computes with the same options
        assertEquals(model.stateDict().keySet(), Npz.read(out.resolve("weights.npz")).keySet());
        Model written = ModelFile.load(out.resolve("model.json"), DataType.FLOAT);
        Trainer lib = Trainer.create(model, data.forModel(model), TrainingOptions.privateTraining(Loss.crossEntropy()).withNoiseMultiplier(1.1)
                .withBatchSize(30).withEpochs(2).withLearningRate(0.5).withSeed(4L));
        lib.steps().blockLast();
        assertEquals(0, maxDiff(written, lib.model()), 0, "the command trains exactly as the library");
        assertEquals(lib.epsilon(), s.get(19).get("epsilon").asDouble(), 0);
        assertEquals(List.of("step-00000016", "step-00000020"),
                Cli.files(out.resolve("checkpoints")).stream().filter(f -> f.startsWith("step-")).toList());
    }

    @Test
    void targetEpsilonIsNeverExceeded() throws IOException {
        Path out = dir.resolve("target");
        Cli.ok("train", "--model", p("mlp.json"), "--data", p("data.npz"), "--out", out.toString(), "--dp", "--target-epsilon", "2.5",
                "--batch-size", "30", "--steps", "12", "--seed", "1");
        List<JsonNode> s = steps(out);
        assertEquals(12, s.size());
        double last = s.get(11).get("epsilon").asDouble();
        assertTrue(last <= 2.5 && last >= 2.5 - 1e-3, "epsilon " + last);
    }

    @Test
    void plainTrainingHasNoEpsilon() throws IOException {
        Path out = dir.resolve("plain");
        Cli.ok("train", "--model", p("mlp.json"), "--data", p("data.npz"), "--out", out.toString(), "--batch-size", "50", "--steps", "3",
                "--quiet");
        List<JsonNode> s = steps(out);
        assertEquals(3, s.size());
        assertTrue(s.get(2).get("epsilon").isNull());
        assertEquals("not private: plain SGD", s.get(2).get("privacy").asText());
    }

    /** Interrupted at step 7 (checkpoint at 5), resumed to 12: the log has each step once and the weights equal a straight run. */
    @Test
    void resumeContinuesTheStepsAndTheEpsilon() throws IOException {
        Path out = dir.resolve("resume");
        String[] common = {"train", "--model", p("mlp.json"), "--data", p("data.npz"), "--dp", "--noise-multiplier", "1.0",
            "--batch-size", "30", "--seed", "9", "--checkpoint-every", "5", "--momentum", "0.5", "--quiet"};
        Cli.ok(concat(common, "--out", out.toString(), "--steps", "7"));
        Files.walk(out.resolve("checkpoints")).filter(f -> f.getFileName().toString().equals("step-00000007")).findFirst()
                .ifPresent(TrainCommandTest::deleteTree);   // as if killed between step 7 and its checkpoint
        Cli.ok(concat(common, "--out", out.toString(), "--steps", "12", "--resume"));
        Path straight = dir.resolve("straight");
        Cli.ok(concat(common, "--out", straight.toString(), "--steps", "12"));
        List<JsonNode> a = steps(out);
        List<JsonNode> b = steps(straight);
        assertEquals(12, a.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(i + 1, a.get(i).get("step").asLong());
            assertEquals(b.get(i).get("epsilon").asDouble(), a.get(i).get("epsilon").asDouble(), 0, "epsilon of step " + (i + 1));
            assertEquals(b.get(i).get("loss").asDouble(), a.get(i).get("loss").asDouble(), 0, "loss of step " + (i + 1));
        }
        assertEquals(0, maxDiff(ModelFile.load(out.resolve("model.json"), DataType.FLOAT),
                ModelFile.load(straight.resolve("model.json"), DataType.FLOAT)), 0);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
