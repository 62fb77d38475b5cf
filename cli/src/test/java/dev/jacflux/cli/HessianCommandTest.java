package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.Hessian;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code jacflux hessian}: per-sample Hessians against second differences and one library Hessian per sample. */
class HessianCommandTest {
    @TempDir
    Path dir;

    /** f(x_b) for a single sample as a plain forward pass (model with one output). */
    private static double value(Model m, double[] xb) {
        return m.forward(Nd4j.create(xb, new long[] {1, xb.length}, m.dtype())).getDouble(0);
    }

    @Test
    void hessianOfAScalarOutputMatchesSecondDifferences() {
        Model m = Fixtures.mlp(1, 41);
        INDArray x = Fixtures.normal(42, 4, 3);
        Path model = Cli.save(m, dir, "scalar");
        Path out = dir.resolve("H.npy");
        Cli.Result r = Cli.ok("hessian", "--model", model.toString(), "--input", Cli.npy(dir, "x.npy", x).toString(), "--out",
                out.toString(), "--dtype", "float64");
        INDArray h = Cli.read(out);
        assertArrayEquals(new long[] {4, 3, 3}, h.shape());
        double eps = 1e-4;
        for (int b = 0; b < 4; b++) {
            double[] xb = x.getRow(b).toDoubleVector();
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double[] pp = xb.clone();
                    double[] pm = xb.clone();
                    double[] mp = xb.clone();
                    double[] mm = xb.clone();
                    pp[i] += eps;
                    pp[j] += eps;
                    pm[i] += eps;
                    pm[j] -= eps;
                    mp[i] -= eps;
                    mp[j] += eps;
                    mm[i] -= eps;
                    mm[j] -= eps;
                    double fd = (value(m, pp) - value(m, pm) - value(m, mp) + value(m, mm)) / (4 * eps * eps);
                    assertEquals(fd, h.getDouble(b, i, j), 1e-6, "sample " + b + " entry " + i + "," + j);
                }
            }
        }
        assertTrue(r.out().contains("per-sample hessian of the output [4, 3, 3] float64"), r.out());
    }

    @Test
    void hessianOfCrossEntropyMatchesOneLibraryHessianPerSample() {
        Model m = Fixtures.mlp(3, 51);
        INDArray x = Fixtures.normal(52, 3, 3);
        long[] labels = {2, 0, 1};
        Path model = Cli.save(m, dir, "mlp");
        Path out = dir.resolve("H.npy");
        Cli.ok("hessian", "--model", model.toString(), "--input", Cli.npy(dir, "x.npy", x).toString(), "--targets",
                Cli.npy(dir, "t.npy", Nd4j.createFromArray(labels)).toString(), "--loss", "cross_entropy", "--out", out.toString(),
                "--dtype", "float64", "--chunk-size", "2");
        INDArray h = Cli.read(out);
        assertArrayEquals(new long[] {3, 3, 3}, h.shape());
        List<Tensor> params = m.parameters().stream().map(Tensor::constant).toList();
        for (int b = 0; b < 3; b++) {
            INDArray label = Nd4j.createFromArray(new long[] {labels[b]});
            INDArray ref = Hessian.of(v -> Loss.crossEntropy().apply(m.forward(v.reshape(1, 3), params), label).sum())
                    .compute(x.getRow(b).dup());
            assertTrue(Cli.maxDiff(h.get(NDArrayIndex.point(b)), ref) < 1e-12, "sample " + b);
            assertTrue(Cli.maxDiff(h.get(NDArrayIndex.point(b)), h.get(NDArrayIndex.point(b)).transpose()) < 1e-12, "symmetric");
        }
    }

    @Test
    void hessianOfMseKeepsTheImageAxesTwice() {
        Model m = Fixtures.image(61);
        INDArray x = Fixtures.normal(62, 2, 1, 4, 4);
        INDArray y = Fixtures.normal(63, 2, 3);
        Path model = Cli.save(m, dir, "img");
        Path out = dir.resolve("H.npy");
        Cli.ok("hessian", "--model", model.toString(), "--input", Cli.npy(dir, "x.npy", x).toString(), "--targets",
                Cli.npy(dir, "y.npy", y).toString(), "--loss", "mse", "--out", out.toString(), "--dtype", "float64");
        INDArray h = Cli.read(out);
        assertArrayEquals(new long[] {2, 1, 4, 4, 1, 4, 4}, h.shape());
        List<Tensor> params = m.parameters().stream().map(Tensor::constant).toList();
        for (int b = 0; b < 2; b++) {
            INDArray yb = y.get(NDArrayIndex.interval(b, b + 1), NDArrayIndex.all()).dup();
            INDArray ref = Hessian.of(v -> Loss.mse().apply(m.forward(v, params), yb).sum())
                    .compute(x.get(NDArrayIndex.interval(b, b + 1)).dup());
            assertTrue(Cli.maxDiff(h.get(NDArrayIndex.point(b)).reshape('c', 16, 16), ref.reshape('c', 16, 16)) < 1e-12, "sample " + b);
        }
    }
}
