package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Forward values, gradients and error messages of CrossEntropy and MeanSquaredError. */
class LossOpsTest {

    private static void assertMessage(Executable call, String... parts) {
        AutodiffException e = assertThrows(AutodiffException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void crossEntropyEqualsHandComputedValue() {
        // row 0: logits (1, 2, 3), target 2: -log(e^3 / (e + e^2 + e^3)) = log(1 + e^-1 + e^-2) = 0.40760596444...
        // row 1: logits (0, 0, 0), target 0: log 3
        Tensor logits = Tensor.constant(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {0, 0, 0}}));
        INDArray loss = CrossEntropy.apply(logits, new long[] {2, 0}).value();
        assertArrayEquals(new long[] {2}, loss.shape());
        assertEquals(0.4076059644443806, loss.getDouble(0), 1e-12);
        assertEquals(Math.log(3), loss.getDouble(1), 1e-12);
    }

    @Test
    void crossEntropyIsStableInFloat32AndAcceptsIntegerArrays() {
        Tensor logits = Tensor.constant(Nd4j.createFromArray(new float[][] {{1000f, 0f}, {0f, 1000f}}));
        INDArray loss = CrossEntropy.apply(logits, Nd4j.createFromArray(0, 0)).value();
        assertEquals(DataType.FLOAT, loss.dataType());
        assertEquals(0.0, loss.getDouble(0), 1e-6);
        assertEquals(1000.0, loss.getDouble(1), 1e-3);
        INDArray viaLong = CrossEntropy.apply(logits, Nd4j.createFromArray(0L, 0L)).value();
        assertEquals(loss, viaLong);
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHot() {
        INDArray x = Gen.random(31, 3, 4);
        long[] targets = {3, 0, 1};
        Tensor logits = Tensor.variable(x);
        Tensor loss = CrossEntropy.apply(logits, targets);
        Tensor g = Backprop.pullback(List.of(loss), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 3))),
                List.of(logits), Backprop.Options.DEFAULT).get(0);
        INDArray expected = Tensor.constant(x).softmax(1).value().dup();
        for (int b = 0; b < 3; b++) {
            expected.putScalar(b, targets[b], expected.getDouble(b, targets[b]) - 1);
        }
        Close.assertClose("d cross_entropy / d logits", expected, g.value().broadcast(3, 4), 1e-12, 1e-10);
    }

    @Test
    void crossEntropyPerSampleWeightGradients() {
        // per-sample gradient of loss[b] = CE(x[b] W, t[b]) w.r.t. W is the outer product x[b]^T (softmax - onehot)[b]
        INDArray xs = Gen.random(32, 3, 2);
        INDArray ws = Gen.random(33, 2, 4);
        long[] targets = {1, 3, 0};
        Tensor x = Tensor.variable(xs);   // the batch input: watched so that the graph records it
        Tensor w = Tensor.variable(ws);
        Tensor loss = CrossEntropy.apply(x.matmul(w), targets);
        Tensor gw = Backprop.pullback(List.of(loss), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 3))), List.of(w),
                Backprop.Options.perSample(Set.of(x), 3)).get(0);
        INDArray p = xs.mmul(ws);
        INDArray d = Tensor.constant(p).softmax(1).value().dup();
        for (int b = 0; b < 3; b++) {
            d.putScalar(b, targets[b], d.getDouble(b, targets[b]) - 1);
        }
        INDArray full = gw.value().broadcast(1, 3, 2, 4);
        for (int b = 0; b < 3; b++) {
            INDArray expected = xs.getRow(b).reshape(2, 1).mmul(d.getRow(b).reshape(1, 4));
            Close.assertClose("per-sample dW, sample " + b, expected, full.get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all()), 1e-12, 1e-10);
        }
    }

    @Test
    void crossEntropyErrors() {
        Tensor logits = Tensor.constant(Gen.random(34, 3, 4));
        assertMessage(() -> CrossEntropy.apply(logits, new long[] {0, 4, 1}), "cross_entropy", "index 1", "is 4", "[0, 4)", "[3, 4]");
        assertMessage(() -> CrossEntropy.apply(logits, new long[] {0, 1, -2}), "cross_entropy", "index 2", "is -2", "[0, 4)");
        assertMessage(() -> CrossEntropy.apply(logits, new long[] {0, 1}), "cross_entropy", "[3, 4]", "3 rows", "2 targets");
        assertMessage(() -> CrossEntropy.apply(Tensor.constant(Gen.random(35, 4)), new long[] {0}), "cross_entropy", "rank 2", "[4]");
        assertMessage(() -> CrossEntropy.apply(Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 0, 4)), new long[0]),
                "cross_entropy", "empty batch", "[0, 4]");
        assertMessage(() -> CrossEntropy.apply(logits, Nd4j.createFromArray(0.0, 1.0, 2.0)), "cross_entropy", "integer", "DOUBLE");
        assertMessage(() -> CrossEntropy.apply(logits, Nd4j.createFromArray(new int[][] {{0}, {1}, {2}})), "cross_entropy", "rank 1", "[3, 1]");
    }

    @Test
    void mseEqualsHandComputedValue() {
        Tensor pred = Tensor.constant(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {0, 0, 0}}));
        Tensor target = Tensor.constant(Nd4j.createFromArray(new double[][] {{1, 0, 0}, {1, -1, 2}}));
        INDArray loss = MeanSquaredError.apply(pred, target).value();
        assertArrayEquals(new long[] {2}, loss.shape());
        assertEquals((0 + 4 + 9) / 3.0, loss.getDouble(0), 1e-12);
        assertEquals((1 + 1 + 4) / 3.0, loss.getDouble(1), 1e-12);
    }

    @Test
    void mseOverAllNonBatchAxesAndRank1() {
        INDArray p = Gen.random(36, 2, 3, 2);
        INDArray q = Gen.random(37, 2, 3, 2);
        INDArray loss = MeanSquaredError.apply(Tensor.constant(p), Tensor.constant(q)).value();
        for (int b = 0; b < 2; b++) {
            double s = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 2; j++) {
                    double d = p.getDouble(b, i, j) - q.getDouble(b, i, j);
                    s += d * d;
                }
            }
            assertEquals(s / 6, loss.getDouble(b), 1e-12);
        }
        INDArray l1 = MeanSquaredError.apply(Tensor.constant(Nd4j.createFromArray(1.0, 2.0)),
                Tensor.constant(Nd4j.createFromArray(3.0, 2.5))).value();
        assertEquals(Nd4j.createFromArray(4.0, 0.25), l1);
    }

    @Test
    void mseErrors() {
        Tensor a = Tensor.constant(Gen.random(38, 3, 4));
        assertMessage(() -> MeanSquaredError.apply(a, Tensor.constant(Gen.random(39, 3, 5))), "mse", "[3, 4]", "[3, 5]", "same shape");
        assertMessage(() -> MeanSquaredError.apply(a, Tensor.constant(Gen.random(40, 4))), "mse", "[3, 4]", "[4]");
        assertMessage(() -> MeanSquaredError.apply(Tensor.scalar(1, DataType.DOUBLE), Tensor.scalar(2, DataType.DOUBLE)),
                "mse", "batch axis");
        assertMessage(() -> MeanSquaredError.apply(a, Tensor.constant(Gen.random(41, 3, 4).castTo(DataType.FLOAT))),
                "mse", "dtypes differ");
    }
}
