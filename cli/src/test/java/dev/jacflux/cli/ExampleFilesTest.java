package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.Autodiff;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.Loss;
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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
                dir.resolve("G.npy").toString(), "--dtype", "float64");
        Model m64 = ModelFile.load(EXAMPLE.resolve("model.json"), DataType.DOUBLE);
        INDArray x64 = Npz.readNpy(EXAMPLE.resolve("input.npy")).castTo(DataType.DOUBLE);
        INDArray y = Npz.readNpy(EXAMPLE.resolve("labels.npy"));
        INDArray loop = RowLoop.perSampleGradients(m64.lossFunction(Loss.crossEntropy()), x64, y, m64.parameters());
        assertArrayEquals(new long[] {4, 1666}, loop.shape());
        assertTrue(Cli.maxDiff(Cli.read(dir.resolve("G.npy")), loop) < 1e-12, "per-sample gradients = single-sample backward passes");
        Cli.ok("hessian", "--model", model, "--input", input, "--targets", labels, "--loss", "cross_entropy", "--out",
                dir.resolve("H.npy").toString(), "--dtype", "float64");
        INDArray h = Cli.read(dir.resolve("H.npy"));
        assertArrayEquals(new long[] {4, 1, 14, 14, 1, 14, 14}, h.shape());
        // each sample's Hessian = central differences of that sample's own input gradient (one backward pass each)
        List<Tensor> p64 = m64.parameters().stream().map(Tensor::constant).toList();
        for (int b = 0; b < 4; b++) {
            INDArray yb = y.get(NDArrayIndex.interval(b, b + 1)).dup();
            INDArray xb = x64.get(NDArrayIndex.interval(b, b + 1)).dup();
            java.util.function.Function<INDArray, INDArray> grad = v -> Autodiff.grad(
                    t -> Loss.crossEntropy().apply(m64.forward(t, p64), yb).sum(), v).reshape(196);
            INDArray fd = Nd4j.zeros(DataType.DOUBLE, 196, 196);
            double eps = 1e-5;
            for (int i = 0; i < 196; i++) {
                INDArray plus = xb.dup().reshape(196);
                INDArray minus = xb.dup().reshape(196);
                plus.putScalar(i, plus.getDouble(i) + eps);
                minus.putScalar(i, minus.getDouble(i) - eps);
                fd.getColumn(i).assign(grad.apply(plus.reshape(1, 1, 14, 14)).sub(grad.apply(minus.reshape(1, 1, 14, 14))).divi(2 * eps));
            }
            INDArray hb = h.get(NDArrayIndex.point(b)).dup('c').reshape('c', 196, 196);
            assertTrue(Cli.maxDiff(hb, fd) < 1e-7 * Math.max(1, fd.amaxNumber().doubleValue()), "sample " + b + ": " + Cli.maxDiff(hb, fd));
        }
        Cli.ok("heatmap", "--jacobian", j.toString(), "--sample", "0", "--output-index", "3", "--out", dir.resolve("s.png").toString());
        assertTrue(Files.size(dir.resolve("s.png")) > 0);
    }
}
