package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code jacflux jacobian}: batch, full and parameter Jacobians against finite differences and the loop references. */
class JacobianCommandTest {
    @TempDir
    Path dir;

    private static Function<Tensor, Tensor> f(Model m) {
        List<Tensor> p = m.parameters().stream().map(Tensor::constant).toList();
        return x -> m.forward(x, p);
    }

    @Test
    void batchJacobianMatchesFiniteDifferencesAndTheRowLoop() {
        Model m = Fixtures.mlp(2, 1);
        INDArray x = Fixtures.normal(2, 5, 3);
        Path model = Cli.save(m, dir, "mlp");
        Path in = Cli.npy(dir, "x.npy", x);
        Path out = dir.resolve("J.npy");
        Cli.Result r = Cli.ok("jacobian", "--model", model.toString(), "--input", in.toString(), "--out", out.toString(),
                "--dtype", "float64");
        INDArray j = Cli.read(out);
        assertEquals(DataType.DOUBLE, j.dataType());
        assertArrayEquals(new long[] {5, 2, 3}, j.shape());
        assertTrue(Cli.maxDiff(j, Fixtures.finiteDifferenceBatchJacobian(m, x, 1e-6)) < 1e-8);
        assertTrue(Cli.maxDiff(j, RowLoop.batchJacobian(f(m), x)) < 1e-12);
        assertTrue(r.out().contains("batch jacobian [5, 2, 3] float64"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void imageModelKeepsTheImageAxesAndChunkingDoesNotChangeTheResult() {
        Model m = Fixtures.image(3);
        INDArray x = Fixtures.normal(4, 2, 1, 4, 4);
        Path model = Cli.save(m, dir, "image");
        Path in = Cli.npy(dir, "x.npy", x);
        Cli.ok("jacobian", "--model", model.toString(), "--input", in.toString(), "--out", dir.resolve("a.npy").toString(),
                "--dtype", "float64");
        Cli.ok("jacobian", "--model", model.toString(), "--input", in.toString(), "--out", dir.resolve("b.npy").toString(),
                "--dtype", "float64", "--chunk-size", "1");
        INDArray a = Cli.read(dir.resolve("a.npy"));
        assertArrayEquals(new long[] {2, 3, 1, 4, 4}, a.shape());
        assertTrue(Cli.maxDiff(a, RowLoop.batchJacobian(f(m), x)) < 1e-12);
        assertTrue(Cli.maxDiff(Cli.read(dir.resolve("b.npy")), a) < 1e-12);
        assertTrue(Cli.maxDiff(a.reshape('c', 2, 3, 16), Fixtures.finiteDifferenceBatchJacobian(m, x, 1e-6)) < 1e-8);
    }

    @Test
    void float32IsTheDefaultAndAgreesWithFloat64() throws IOException {
        Model m = Fixtures.mlp(2, 1);
        INDArray x = Fixtures.normal(2, 4, 3);
        Path model = Cli.save(m, dir, "mlp");
        Path in = Cli.npy(dir, "x.npy", x.castTo(DataType.FLOAT));
        Path out = dir.resolve("J.npy");
        Cli.ok("jacobian", "--model", model.toString(), "--input", in.toString(), "--out", out.toString());
        byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(out), 64);
        assertTrue(new String(header, java.nio.charset.StandardCharsets.ISO_8859_1).contains("'descr': '<f4'"));
        INDArray j = Cli.read(out);
        assertEquals(DataType.FLOAT, j.dataType());
        assertTrue(Cli.maxDiff(j, RowLoop.batchJacobian(f(m), x.castTo(DataType.FLOAT).castTo(DataType.DOUBLE))) < 1e-5);
    }

    @Test
    void fullJacobianHasTheBatchTwiceAndZeroBlocksBetweenSamples() {
        Model m = Fixtures.mlp(2, 5);
        INDArray x = Fixtures.normal(6, 3, 3);
        Path model = Cli.save(m, dir, "mlp");
        Path in = Cli.npy(dir, "x.npy", x);
        Path out = dir.resolve("full.npy");
        Cli.Result r = Cli.ok("jacobian", "--full", "--model", model.toString(), "--input", in.toString(), "--out", out.toString(),
                "--dtype", "float64", "--chunk-size", "2");
        INDArray full = Cli.read(out);
        assertArrayEquals(new long[] {3, 2, 3, 3}, full.shape());
        assertTrue(Cli.maxDiff(full, RowLoop.jacobian(f(m), x)) < 1e-12);
        INDArray batch = RowLoop.batchJacobian(f(m), x);
        for (long a = 0; a < 3; a++) {
            for (long b = 0; b < 3; b++) {
                INDArray block = full.get(NDArrayIndex.point(a), NDArrayIndex.all(), NDArrayIndex.point(b), NDArrayIndex.all());
                double expectedMax = a == b ? Cli.maxDiff(block, batch.get(NDArrayIndex.point(a))) : block.amaxNumber().doubleValue();
                assertTrue(expectedMax < 1e-12, "block " + a + "," + b);
            }
        }
        assertTrue(r.out().contains("full jacobian [3, 2, 3, 3]"), r.out());
    }

    @Test
    void parameterJacobianMatchesTheSingleSampleLoopAndListsTheColumns() {
        Model m = Fixtures.image(8);
        INDArray x = Fixtures.normal(9, 3, 1, 4, 4);
        Path model = Cli.save(m, dir, "image");
        Path in = Cli.npy(dir, "x.npy", x);
        Path out = dir.resolve("Jp.npy");
        Cli.Result r = Cli.ok("jacobian", "--wrt", "params", "--model", model.toString(), "--input", in.toString(), "--out",
                out.toString(), "--dtype", "float64", "--chunk-size", "2");
        INDArray jp = Cli.read(out);
        assertArrayEquals(new long[] {3, 3, m.parameterCount()}, jp.shape());
        assertTrue(Cli.maxDiff(jp, RowLoop.perSampleJacobian(m.asFunction(), x, m.parameters())) < 1e-12);
        assertTrue(r.out().contains("columns (M = 103): fc1.weight [5, 16] 0..79, fc1.bias [5] 80..84, fc2.weight [3, 5] 85..99, fc2.bias [3] 100..102"),
                r.out());
    }

    @Test
    void aModelThatCouplesSamplesIsRefusedForTheBatchJacobianButNotForTheFullOne() {
        Model m = Model.initialize(Sequential.of(new long[] {2, 2, 2}, BatchNorm2d.of("bn", 2).training(true), new Flatten(),
                Linear.of("fc", 8, 2)), DataType.DOUBLE, 71);
        INDArray x = Fixtures.normal(72, 3, 2, 2, 2);
        Path model = Cli.save(m, dir, "bn");
        Path in = Cli.npy(dir, "x.npy", x);
        Cli.Result refused = Cli.run("jacobian", "--model", model.toString(), "--input", in.toString(), "--out",
                dir.resolve("J.npy").toString());
        assertEquals(2, refused.code(), refused::toString);
        assertEquals(1, refused.errLines().size(), refused::toString);
        assertTrue(refused.err().contains("'bn' (batch_norm2d)") && refused.err().contains("--full"), refused.err());
        Path out = dir.resolve("full.npy");
        Cli.ok("jacobian", "--full", "--model", model.toString(), "--input", in.toString(), "--out", out.toString(), "--dtype", "float64");
        INDArray full = Cli.read(out);
        assertArrayEquals(new long[] {3, 2, 3, 2, 2, 2}, full.shape());
        assertTrue(Cli.maxDiff(full, RowLoop.jacobian(f(m), x)) < 1e-12);
        assertTrue(full.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(1)).amaxNumber().doubleValue() > 1e-6,
                "batch statistics: sample 0's outputs depend on sample 1's input");
    }

    @Test
    void quietPrintsNothingAndProgressDrawsABarOnStderr() {
        Model m = Fixtures.mlp(2, 1);
        Path model = Cli.save(m, dir, "mlp");
        Path in = Cli.npy(dir, "x.npy", Fixtures.normal(2, 4, 3));
        Cli.Result quiet = Cli.ok("jacobian", "-q", "--model", model.toString(), "--input", in.toString(), "--out",
                dir.resolve("q.npy").toString());
        assertEquals("", quiet.out());
        assertEquals("", quiet.err());
        Cli.Result p = Cli.ok("jacobian", "--progress", "--chunk-size", "1", "--model", model.toString(), "--input", in.toString(),
                "--out", dir.resolve("p.npy").toString());
        assertTrue(p.err().contains("100%  2/2 chunks"), p.err());
        assertTrue(p.err().startsWith("\rjacobian ["), p.err());
    }

    @Test
    void aSuccessfulRunReplacesAnExistingOutputAndLeavesNoTemporaryFile() throws IOException {
        Model m = Fixtures.mlp(2, 1);
        Path model = Cli.save(m, dir, "mlp");
        Path in = Cli.npy(dir, "x.npy", Fixtures.normal(2, 4, 3));
        Path out = dir.resolve("J.npy");
        Files.writeString(out, "old");
        Cli.ok("jacobian", "--model", model.toString(), "--input", in.toString(), "--out", out.toString());
        assertArrayEquals(new long[] {4, 2, 3}, Cli.read(out).shape());
        assertEquals(List.of("J.npy", "mlp.json", "mlp.npz", "x.npy"), Cli.files(dir));
    }
}
