package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code jacflux grads}: per-sample gradients and norms against the single-sample loop and finite differences. */
class GradsCommandTest {
    @TempDir
    Path dir;

    /** Cross-entropy of logits row {@code b} and class {@code c}, by hand. */
    private static double crossEntropy(INDArray logits, int b, long c) {
        double[] row = logits.getRow(b).toDoubleVector();
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v - max);
        }
        return -(row[(int) c] - max - Math.log(sum));
    }

    /** d loss[b] / d theta[col] by central differences, perturbing the flat parameter vector. */
    private static double fdColumn(Model m, INDArray x, long[] labels, int b, long col, double h) {
        double[] values = new double[2];
        for (int k = 0; k < 2; k++) {
            List<INDArray> ps = new ArrayList<>();
            long offset = 0;
            for (INDArray p : m.parameters()) {
                INDArray q = p.dup('c');
                if (col >= offset && col < offset + p.length()) {
                    INDArray flat = q.reshape('c', new long[] {p.length()});
                    flat.putScalar(col - offset, flat.getDouble(col - offset) + (k == 0 ? h : -h));
                }
                offset += p.length();
                ps.add(q);
            }
            values[k] = crossEntropy(m.withParameters(ps).forward(x), b, labels[b]);
        }
        return (values[0] - values[1]) / (2 * h);
    }

    @Test
    void crossEntropyGradientsMatchTheLoopAndFiniteDifferences() {
        Model m = Fixtures.mlp(3, 11);
        INDArray x = Fixtures.normal(12, 5, 3);
        long[] labels = {0, 2, 1, 2, 0};
        Path model = Cli.save(m, dir, "mlp");
        Path in = Cli.npy(dir, "x.npy", x);
        Path t = Cli.npy(dir, "t.npy", Nd4j.createFromArray(labels));
        Path out = dir.resolve("G.npy");
        Cli.Result r = Cli.ok("grads", "--model", model.toString(), "--input", in.toString(), "--targets", t.toString(), "--loss",
                "cross_entropy", "--out", out.toString(), "--dtype", "float64");
        INDArray g = Cli.read(out);
        assertArrayEquals(new long[] {5, m.parameterCount()}, g.shape());
        INDArray ref = RowLoop.perSampleGradients(m.lossFunction(Loss.crossEntropy()), x, Nd4j.createFromArray(labels), m.parameters());
        assertTrue(Cli.maxDiff(g, ref) < 1e-12);
        for (int b : new int[] {0, 3}) {
            for (long col : new long[] {0, 7, 12, 16, 30, m.parameterCount() - 1}) {
                assertEquals(fdColumn(m, x, labels, b, col, 1e-6), g.getDouble(b, col), 1e-8, "sample " + b + " column " + col);
            }
        }
        assertTrue(r.out().contains("per-sample gradients (cross_entropy) [5, 31] float64"), r.out());
        assertTrue(r.out().contains("columns (M = 31): fc1.weight [4, 3] 0..11, fc1.bias [4] 12..15, fc2.weight [3, 4] 16..27,"
                + " fc2.bias [3] 28..30"), r.out());
    }

    @Test
    void int32LabelsAndChunksGiveTheSameResult() {
        Model m = Fixtures.mlp(3, 11);
        INDArray x = Fixtures.normal(12, 5, 3);
        Path model = Cli.save(m, dir, "mlp");
        Path in = Cli.npy(dir, "x.npy", x);
        Cli.ok("grads", "--model", model.toString(), "--input", in.toString(), "--targets",
                Cli.npy(dir, "t64.npy", Nd4j.createFromArray(new long[] {0, 2, 1, 2, 0})).toString(), "--loss", "cross_entropy",
                "--out", dir.resolve("a.npy").toString(), "--dtype", "float64");
        Cli.ok("grads", "--model", model.toString(), "--input", in.toString(), "--targets",
                Cli.npy(dir, "t32.npy", Nd4j.createFromArray(new int[] {0, 2, 1, 2, 0})).toString(), "--loss", "cross-entropy",
                "--out", dir.resolve("b.npy").toString(), "--dtype", "float64", "--chunk-size", "2");
        assertTrue(Cli.maxDiff(Cli.read(dir.resolve("a.npy")), Cli.read(dir.resolve("b.npy"))) < 1e-12);
    }

    @Test
    void mseGradientsMatchTheLoop() {
        Model m = Fixtures.image(21);
        INDArray x = Fixtures.normal(22, 4, 1, 4, 4);
        INDArray y = Fixtures.normal(23, 4, 3);
        Path model = Cli.save(m, dir, "img");
        Cli.ok("grads", "--model", model.toString(), "--input", Cli.npy(dir, "x.npy", x).toString(), "--targets",
                Cli.npy(dir, "y.npy", y).toString(), "--loss", "mse", "--out", dir.resolve("G.npy").toString(), "--dtype", "float64");
        INDArray ref = RowLoop.perSampleGradients(m.lossFunction(Loss.mse()), x, y, m.parameters());
        assertTrue(Cli.maxDiff(Cli.read(dir.resolve("G.npy")), ref) < 1e-12);
    }

    @Test
    void normsAreTheRowNormsOfTheGradientMatrix() {
        Model m = Fixtures.mlp(3, 31);
        INDArray x = Fixtures.normal(32, 6, 3);
        INDArray labels = Nd4j.createFromArray(new long[] {1, 1, 0, 2, 2, 0});
        Path model = Cli.save(m, dir, "mlp");
        Path out = dir.resolve("n.npy");
        Cli.Result r = Cli.ok("grads", "--norms", "--model", model.toString(), "--input", Cli.npy(dir, "x.npy", x).toString(),
                "--targets", Cli.npy(dir, "t.npy", labels).toString(), "--loss", "cross_entropy", "--out", out.toString(),
                "--dtype", "float64");
        INDArray norms = Cli.read(out);
        assertArrayEquals(new long[] {6}, norms.shape());
        INDArray ref = RowLoop.perSampleGradients(m.lossFunction(Loss.crossEntropy()), x, labels, m.parameters()).norm2(1);
        assertTrue(Cli.maxDiff(norms, ref) < 1e-10);
        assertTrue(r.out().contains("per-sample gradient norms (cross_entropy) [6] float64"), r.out());
        assertEquals(DataType.DOUBLE, norms.dataType());
    }
}
