package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The committed example under {@code examples/mnist-mlp}: what the generator makes, usable by every command. */
class ExampleFilesTest {
    static final Path EXAMPLE = Path.of("..", "examples", "mnist-mlp");

    @TempDir
    Path dir;

    @Test
    void theCommittedFilesAreWhatTheGeneratorWrites() throws IOException {
        ExampleFiles.write(dir);
        Map<String, INDArray> committed = Npz.read(EXAMPLE.resolve("weights.npz"));
        Map<String, INDArray> fresh = Npz.read(dir.resolve("weights.npz"));
        assertEquals(fresh.keySet(), committed.keySet());
        for (String k : fresh.keySet()) {
            assertTrue(Cli.maxDiff(committed.get(k), fresh.get(k)) < 1e-4, k);
        }
        assertEquals(Files.readString(dir.resolve("model.json")), Files.readString(EXAMPLE.resolve("model.json")));
        assertTrue(Cli.maxDiff(Npz.readNpy(EXAMPLE.resolve("input.npy")), Npz.readNpy(dir.resolve("input.npy"))) == 0);
        assertArrayEquals(ExampleFiles.EXAMPLE_DIGITS, Npz.readNpy(EXAMPLE.resolve("labels.npy")).toLongVector());
        assertTrue(Files.size(EXAMPLE.resolve("weights.npz")) < 10_000, "a few KB");
    }

    @Test
    void theModelRecognisesTheExampleDigits() {
        Model m = ModelFile.load(EXAMPLE.resolve("model.json"), DataType.FLOAT);
        INDArray logits = m.forward(Npz.readNpy(EXAMPLE.resolve("input.npy")));
        assertArrayEquals(ExampleFiles.EXAMPLE_DIGITS, logits.argMax(1).toLongVector());
    }

    @Test
    void theReadmeCommandsRunOnTheExample() throws IOException {
        String model = EXAMPLE.resolve("model.json").toString();
        String input = EXAMPLE.resolve("input.npy").toString();
        String labels = EXAMPLE.resolve("labels.npy").toString();
        Path j = dir.resolve("J.npy");
        Cli.ok("jacobian", "--model", model, "--input", input, "--out", j.toString());
        Model m = ModelFile.load(EXAMPLE.resolve("model.json"), DataType.FLOAT);
        List<Tensor> p = m.parameters().stream().map(Tensor::constant).toList();
        INDArray ref = RowLoop.batchJacobian(x -> m.forward(x, p), Npz.readNpy(EXAMPLE.resolve("input.npy")));
        assertTrue(Cli.maxDiff(Cli.read(j), ref) < 1e-6);
        assertArrayEquals(new long[] {4, 10, 1, 14, 14}, Cli.read(j).shape());
        Cli.ok("grads", "--model", model, "--input", input, "--targets", labels, "--loss", "cross_entropy", "--out",
                dir.resolve("G.npy").toString());
        assertArrayEquals(new long[] {4, 1666}, Cli.read(dir.resolve("G.npy")).shape());
        Cli.ok("hessian", "--model", model, "--input", input, "--targets", labels, "--loss", "cross_entropy", "--out",
                dir.resolve("H.npy").toString());
        assertArrayEquals(new long[] {4, 1, 14, 14, 1, 14, 14}, Cli.read(dir.resolve("H.npy")).shape());
        Cli.ok("heatmap", "--jacobian", j.toString(), "--sample", "0", "--output-index", "3", "--out", dir.resolve("s.png").toString());
        assertTrue(Files.size(dir.resolve("s.png")) > 0);
    }
}
