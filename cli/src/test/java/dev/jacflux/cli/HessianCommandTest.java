package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.Model;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code jacflux hessian}: per-sample Hessians against central second differences of each sample's loss in float64. */
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

    /** The cross-entropy of one sample's logits and label, by hand. */
    private static double crossEntropy(INDArray logits, long label) {
        double max = logits.maxNumber().doubleValue();
        double sum = 0;
        for (long k = 0; k < logits.length(); k++) {
            sum += Math.exp(logits.getDouble(k) - max);
        }
        return max + Math.log(sum) - logits.getDouble(label);
    }

    /** The mean squared error of one sample's outputs against its targets, by hand. */
    private static double mse(INDArray out, INDArray target) {
        double sum = 0;
        for (long k = 0; k < out.length(); k++) {
            double d = out.getDouble(k) - target.getDouble(k);
            sum += d * d;
        }
        return sum / out.length();
    }

    /** The Hessian [n, n] of {@code f} at {@code x} by central second differences. */
    private static INDArray secondDifferences(java.util.function.ToDoubleFunction<double[]> f, double[] x) {
        int n = x.length;
        double eps = 1e-4;
        INDArray h = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double[] pp = x.clone();
                double[] pm = x.clone();
                double[] mp = x.clone();
                double[] mm = x.clone();
                pp[i] += eps;
                pp[j] += eps;
                pm[i] += eps;
                pm[j] -= eps;
                mp[i] -= eps;
                mp[j] += eps;
                mm[i] -= eps;
                mm[j] -= eps;
                h.putScalar(i, j, (f.applyAsDouble(pp) - f.applyAsDouble(pm) - f.applyAsDouble(mp) + f.applyAsDouble(mm)) / (4 * eps * eps));
            }
        }
        return h;
    }

    @Test
    void hessianOfCrossEntropyMatchesSecondDifferencesOfEachSamplesLoss() {
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
        for (int b = 0; b < 3; b++) {
            long label = labels[b];
            INDArray fd = secondDifferences(v -> crossEntropy(m.forward(Nd4j.create(v, new long[] {1, 3}, m.dtype())), label),
                    x.getRow(b).toDoubleVector());
            assertTrue(Cli.maxDiff(h.get(NDArrayIndex.point(b)), fd) < 1e-6, "sample " + b + ": " + Cli.maxDiff(h.get(NDArrayIndex.point(b)), fd));
            assertTrue(fd.amaxNumber().doubleValue() > 1e-3, "a Hessian that is not trivially zero");
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
        for (int b = 0; b < 2; b++) {
            INDArray yb = y.getRow(b).dup();
            INDArray fd = secondDifferences(v -> mse(m.forward(Nd4j.create(v, new long[] {1, 1, 4, 4}, m.dtype())), yb),
                    x.get(NDArrayIndex.point(b)).dup('c').reshape(16).toDoubleVector());
            assertTrue(Cli.maxDiff(h.get(NDArrayIndex.point(b)).dup('c').reshape('c', 16, 16), fd) < 1e-6, "sample " + b);
        }
    }
}
