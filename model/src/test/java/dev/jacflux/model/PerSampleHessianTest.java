package dev.jacflux.model;

import static dev.jacflux.model.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Softplus;
import dev.jacflux.model.layers.Tanh;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-sample Hessians against central second differences of each sample's own loss in float64,
 * computed from plain forward passes of that sample alone (no derivative code involved).
 */
class PerSampleHessianTest {
    private static final double EPS = 1e-4;

    /**
     * {@code d^2 f / dx_i dx_j} at {@code x} by the four-point central formula, as a matrix
     * {@code [n, n]} over the flattened sample.
     */
    private static INDArray secondDifferences(ToDoubleFunction<double[]> f, double[] x) {
        int n = x.length;
        INDArray h = Nd4j.zeros(DataType.DOUBLE, n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double[] pp = x.clone();
                double[] pm = x.clone();
                double[] mp = x.clone();
                double[] mm = x.clone();
                pp[i] += EPS;
                pp[j] += EPS;
                pm[i] += EPS;
                pm[j] -= EPS;
                mp[i] -= EPS;
                mp[j] += EPS;
                mm[i] -= EPS;
                mm[j] -= EPS;
                h.putScalar(i, j, (f.applyAsDouble(pp) - f.applyAsDouble(pm) - f.applyAsDouble(mp) + f.applyAsDouble(mm)) / (4 * EPS * EPS));
            }
        }
        return h;
    }

    /** The loss of sample {@code b} alone (or its single output), from a plain forward pass of that sample. */
    private static ToDoubleFunction<double[]> sampleLoss(Model m, Loss loss, INDArray targets, long b, long[] sampleShape) {
        return v -> {
            INDArray xb = Nd4j.create(v, Shapes.concat(new long[] {1}, sampleShape), DataType.DOUBLE);
            INDArray y = m.forward(xb);
            if (loss == null) {
                return y.getDouble(0);
            }
            INDArray tb = targets.get(NDArrayIndex.interval(b, b + 1)).dup();
            return loss.apply(dev.jacflux.autodiff.Tensor.constant(y), tb).value().getDouble(0);
        };
    }

    private static void assertEqualsSecondDifferences(Model m, INDArray x, Loss loss, INDArray targets, INDArray h) {
        long[] sample = Shapes.range(x.shape(), 1, x.rank());
        int n = (int) Shapes.numel(sample);
        assertArrayEquals(Shapes.concat(Shapes.concat(new long[] {x.size(0)}, sample), sample), h.shape());
        for (long b = 0; b < x.size(0); b++) {
            double[] xb = x.get(NDArrayIndex.point(b)).dup('c').reshape(n).toDoubleVector();
            INDArray fd = secondDifferences(sampleLoss(m, loss, targets, b, sample), xb);
            assertClose("sample " + b, fd, h.get(NDArrayIndex.point(b)).dup('c').reshape(n, n), 1e-6, 1e-5);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 4})
    void crossEntropyHessiansEqualSecondDifferencesOfEachSamplesLoss(long chunkSize) {
        Model m = Fixtures.randomModel(Sequential.of(new long[] {3}, Linear.of("fc1", 3, 5), new Tanh(), Linear.of("fc2", 5, 4)), 11);
        INDArray x = Fixtures.normal(12, 3, 3);
        INDArray y = Fixtures.labels(13, 3, 4);
        INDArray h = PerSampleHessian.compute(m, x, Loss.crossEntropy(), y, JacobianOptions.DEFAULT.withChunkSize(chunkSize));
        assertEqualsSecondDifferences(m, x, Loss.crossEntropy(), y, h);
    }

    @Test
    void mseHessiansKeepTheSampleAxesTwice() {
        Model m = Fixtures.randomModel(Sequential.of(new long[] {2, 3}, new Flatten(), Linear.of("fc1", 6, 4), new Softplus(),
                Linear.of("fc2", 4, 2)), 21);
        INDArray x = Fixtures.normal(22, 2, 2, 3);
        INDArray y = Fixtures.normal(23, 2, 2);
        INDArray h = PerSampleHessian.compute(m, x, Loss.mse(), y, JacobianOptions.DEFAULT.withChunkSize(5));
        assertArrayEquals(new long[] {2, 2, 3, 2, 3}, h.shape());
        assertEqualsSecondDifferences(m, x, Loss.mse(), y, h);
    }

    @Test
    void aModelWithOneOutputPerSampleNeedsNoLoss() {
        Model m = Fixtures.randomModel(Sequential.of(new long[] {4}, Linear.of("fc1", 4, 6), new Tanh(), Linear.of("fc2", 6, 1)), 31);
        INDArray x = Fixtures.normal(32, 5, 4);
        INDArray h = PerSampleHessian.compute(m, x, null, null, JacobianOptions.DEFAULT);
        assertEqualsSecondDifferences(m, x, null, null, h);
    }

    @Test
    void modelsThatCoupleSamplesOrHaveSeveralOutputsAreRefused() {
        Model bn = Fixtures.randomModel(Sequential.of(new long[] {2, 2, 2}, BatchNorm2d.of("bn", 2).training(true), new Flatten(),
                Linear.of("fc", 8, 1)), 41);
        ModelException coupled = assertThrows(ModelException.class,
                () -> PerSampleHessian.compute(bn, Fixtures.normal(42, 3, 2, 2, 2), null, null, JacobianOptions.DEFAULT));
        assertTrue(coupled.getMessage().contains("per-sample hessian") && coupled.getMessage().contains("'bn'"), coupled.getMessage());
        Model three = Fixtures.randomModel(Sequential.of(new long[] {4}, Linear.of("fc", 4, 3)), 43);
        ModelException outputs = assertThrows(ModelException.class,
                () -> PerSampleHessian.compute(three, Fixtures.normal(44, 2, 4), null, null, JacobianOptions.DEFAULT));
        assertTrue(outputs.getMessage().contains("3 outputs per sample") && outputs.getMessage().contains("give a loss"), outputs.getMessage());
    }
}
