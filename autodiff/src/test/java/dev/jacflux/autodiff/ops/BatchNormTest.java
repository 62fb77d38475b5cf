package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.FiniteDifferences;
import dev.jacflux.autodiff.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BatchNormTest {

    private static double[] d(INDArray a) {
        return a == null ? null : a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /**
     * Plain-loop float64 reference, x seen as [N, C, S]. With {@code rm == null} the statistics are
     * the batch mean and biased variance per channel (training form).
     */
    static INDArray reference(INDArray x, INDArray rm, INDArray rv, INDArray w, INDArray b, double eps) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        double[] xs = d(x);
        int s = xs.length / (n * c);
        double[] mean = new double[c];
        double[] var = new double[c];
        if (rm != null) {
            mean = d(rm);
            var = d(rv);
        } else {
            for (int ch = 0; ch < c; ch++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < s; k++) {
                        sum += xs[(i * c + ch) * s + k];
                    }
                }
                mean[ch] = sum / (n * s);
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < s; k++) {
                        double dv = xs[(i * c + ch) * s + k] - mean[ch];
                        sq += dv * dv;
                    }
                }
                var[ch] = sq / (n * s);
            }
        }
        double[] ws = d(w);
        double[] bs = d(b);
        double[] out = new double[xs.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    double y = (xs[at] - mean[ch]) / Math.sqrt(var[ch] + eps);
                    if (ws != null) {
                        y *= ws[ch];
                    }
                    if (bs != null) {
                        y += bs[ch];
                    }
                    out[at] = y;
                }
            }
        }
        return Nd4j.create(out, x.shape(), DataType.DOUBLE);
    }

    private static Tensor k(INDArray a) {
        return a == null ? null : Tensor.constant(a);
    }

    @Test
    void inferenceForwardMatchesPlainLoop() {
        Random rnd = new Random(3);
        for (long[] shape : List.of(new long[] {2, 3}, new long[] {2, 3, 2, 2}, new long[] {3, 3, 5})) {
            INDArray x = Gen.normal().sample(rnd, shape);
            INDArray rm = Gen.uniform().sample(rnd, new long[] {3});
            INDArray rv = Gen.positive().sample(rnd, new long[] {3});
            INDArray w = Gen.uniform().sample(rnd, new long[] {3});
            INDArray b = Gen.uniform().sample(rnd, new long[] {3});
            Close.assertClose("inference " + java.util.Arrays.toString(shape), reference(x, rm, rv, w, b, 1e-5),
                    BatchNorm.apply(k(x), k(rm), k(rv), k(w), k(b), 1e-5).value(), 1e-12, 1e-12);
            Close.assertClose("inference no affine " + java.util.Arrays.toString(shape), reference(x, rm, rv, null, null, 0.1),
                    BatchNorm.apply(k(x), k(rm), k(rv), null, null, 0.1).value(), 1e-12, 1e-12);
        }
    }

    @Test
    void inferenceHandComputed() {
        // x [2, 2]: channel 0 mean 1 var 4, channel 1 mean -1 var 0.25; weight (2, 1), bias (0, 10)
        INDArray x = Nd4j.create(new double[] {3, 0, -1, -1.5}, new long[] {2, 2}, DataType.DOUBLE);
        Tensor y = BatchNorm.apply(k(x), k(Nd4j.create(new double[] {1, -1})), k(Nd4j.create(new double[] {4, 0.25})),
                k(Nd4j.create(new double[] {2, 1})), k(Nd4j.create(new double[] {0, 10})), 0.0);
        INDArray expected = Nd4j.create(new double[] {2, 12, -2, 9}, new long[] {2, 2}, DataType.DOUBLE);
        Close.assertClose("hand computed", expected, y.value(), 1e-12, 1e-12);
    }

    @Test
    void trainingForwardMatchesPlainLoop() {
        Random rnd = new Random(4);
        for (long[] shape : List.of(new long[] {4, 3}, new long[] {2, 3, 2, 2})) {
            INDArray x = Gen.normal().sample(rnd, shape);
            INDArray w = Gen.uniform().sample(rnd, new long[] {3});
            INDArray b = Gen.uniform().sample(rnd, new long[] {3});
            Close.assertClose("training " + java.util.Arrays.toString(shape), reference(x, null, null, w, b, 1e-5),
                    BatchNorm.applyTraining(k(x), k(w), k(b), 1e-5).value(), 1e-12, 1e-12);
        }
    }

    private static INDArray sample(INDArray a, long i) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(i, i + 1);
        for (int j = 1; j < idx.length; j++) {
            idx[j] = NDArrayIndex.all();
        }
        return a.get(idx).dup('c');
    }

    /** loss[n] = sum over all but axis 0 of tanh(batch_norm(x))[n] * c. */
    private static Tensor loss(Tensor x, List<Tensor> p, INDArray c) {
        Tensor y = BatchNorm.apply(x, p.get(0), p.get(1), p.get(2), p.get(3), 1e-5).tanh().mul(Tensor.constant(c));
        return y.sum(1, 2, 3);
    }

    @Test
    void inferencePerSampleGradientsEqualSingleSampleBackwardPasses() {
        int n = 3;
        Random rnd = new Random(5);
        INDArray xs = Gen.normal().sample(rnd, new long[] {n, 2, 2, 2});
        List<INDArray> ps = List.of(Gen.uniform().sample(rnd, new long[] {2}), Gen.positive().sample(rnd, new long[] {2}),
                Gen.uniform().sample(rnd, new long[] {2}), Gen.uniform().sample(rnd, new long[] {2}));
        INDArray c = Gen.uniform().sample(rnd, new long[] {2, 2, 2});
        List<String> names = List.of("runningMean", "runningVar", "weight", "bias");

        Tensor x = Tensor.variable(xs);
        List<Tensor> p = ps.stream().map(Tensor::variable).toList();
        Tensor l = loss(x, p, c);
        List<Tensor> per = Backprop.pullback(List.of(l), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, n))), p,
                Backprop.Options.perSample(Set.of(x), n));
        for (int i = 0; i < n; i++) {
            List<Tensor> pi = ps.stream().map(Tensor::variable).toList();
            Tensor li = loss(Tensor.constant(sample(xs, i)), pi, c);
            List<Tensor> single = Backprop.pullback(List.of(li), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 1))), pi,
                    Backprop.Options.DEFAULT);
            for (int j = 0; j < 4; j++) {
                INDArray expected = single.get(j).value().broadcast(1, 2).dup('c').reshape(2);
                INDArray actual = per.get(j).value().broadcast(1, n, 2).get(NDArrayIndex.point(0), NDArrayIndex.point(i)).dup('c');
                Close.assertClose("per-sample " + names.get(j) + ", sample " + i, expected, actual, 1e-12, 1e-10);
            }
        }
        INDArray w0 = per.get(2).value().broadcast(1, n, 2).get(NDArrayIndex.point(0), NDArrayIndex.point(0));
        INDArray w1 = per.get(2).value().broadcast(1, n, 2).get(NDArrayIndex.point(0), NDArrayIndex.point(1));
        assertTrue(w0.sub(w1).amaxNumber().doubleValue() > 1e-3, "per-sample weight rows differ");
    }

    /** Rows of sample 0's outputs, columns of sample 1's inputs, of a [numel(y), numel(x)] Jacobian of x [N, C]. */
    private static INDArray crossBlock(INDArray jac, int c) {
        return jac.get(NDArrayIndex.interval(0, c), NDArrayIndex.interval(c, 2 * c));
    }

    @Test
    void trainingFormCouplesSamplesAndItsJacobianHasOffDiagonalBlocks() {
        Random rnd = new Random(6);
        INDArray xs = Gen.normal().sample(rnd, new long[] {4, 3});
        INDArray w = Gen.uniform().sample(rnd, new long[] {3});
        INDArray b = Gen.uniform().sample(rnd, new long[] {3});
        Function<List<Tensor>, Tensor> training = t -> BatchNorm.applyTraining(t.get(0), Tensor.constant(w), Tensor.constant(b), 1e-5);
        List<INDArray> in = new ArrayList<>(List.of(xs));
        INDArray fd = FiniteDifferences.jacobian(training, in, 0);   // [12, 12]
        assertTrue(crossBlock(fd, 3).amaxNumber().doubleValue() > 1e-3,
                "output sample 0 depends on input sample 1: " + crossBlock(fd, 3));

        // the engine's full Jacobian (identity seed [12, 4, 3]) has the same cross-sample blocks
        Tensor x = Tensor.variable(xs);
        Tensor y = training.apply(List.of(x));
        INDArray seed = Nd4j.eye(12).castTo(DataType.DOUBLE).reshape(12, 4, 3);
        Tensor gx = Backprop.pullback(List.of(y), List.of(Tensor.constant(seed)), List.of(x), Backprop.Options.DEFAULT).get(0);
        Close.assertFd("training full Jacobian", fd, gx.value().broadcast(12, 4, 3).dup('c').reshape(12, 12));

        // the inference form does not couple samples: the same block is zero
        Function<List<Tensor>, Tensor> inference = t -> BatchNorm.apply(t.get(0), Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 3)),
                Tensor.constant(Nd4j.ones(DataType.DOUBLE, 3)), Tensor.constant(w), Tensor.constant(b), 1e-5);
        assertEquals(0.0, crossBlock(FiniteDifferences.jacobian(inference, in, 0), 3).amaxNumber().doubleValue(), 1e-9);
    }

    @Test
    void trainingFormIsRefusedInPerSampleMode() {
        int n = 4;
        Tensor x = Tensor.variable(Gen.random(7, n, 3));
        Tensor w = Tensor.variable(Gen.random(8, 3));
        Tensor l = BatchNorm.applyTraining(x, w, null, 1e-5).sum(1);
        AutodiffException e = assertThrows(AutodiffException.class, () -> Backprop.pullback(List.of(l),
                List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, n))), List.of(w), Backprop.Options.perSample(Set.of(x), n)));
        assertTrue(e.getMessage().contains("per-sample mode") && e.getMessage().contains("batch axis"), e.getMessage());
    }

    @Test
    void argumentErrorsNameShapes() {
        Tensor x = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3, 4));
        Tensor c3 = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 3));
        Tensor c4 = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 4));

        AutodiffException rank = assertThrows(AutodiffException.class,
                () -> BatchNorm.apply(Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 3)), c3, c3, null, null, 1e-5));
        assertTrue(rank.getMessage().contains("batch_norm") && rank.getMessage().contains("[N, C, ...]")
                && rank.getMessage().contains("[3]"), rank.getMessage());

        AutodiffException mean = assertThrows(AutodiffException.class, () -> BatchNorm.apply(x, c4, c3, null, null, 1e-5));
        assertTrue(mean.getMessage().contains("runningMean must have shape [3]") && mean.getMessage().contains("[2, 3, 4]")
                && mean.getMessage().contains("got [4]"), mean.getMessage());

        AutodiffException var = assertThrows(AutodiffException.class, () -> BatchNorm.apply(x, c3, null, null, null, 1e-5));
        assertTrue(var.getMessage().contains("runningVar is required"), var.getMessage());

        AutodiffException weight = assertThrows(AutodiffException.class, () -> BatchNorm.apply(x, c3, c3, c4, null, 1e-5));
        assertTrue(weight.getMessage().contains("weight must have shape [3]"), weight.getMessage());

        AutodiffException bias = assertThrows(AutodiffException.class,
                () -> BatchNorm.applyTraining(x, null, Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 3)), 1e-5));
        assertTrue(bias.getMessage().contains("batch_norm (training): bias must have shape [3]")
                && bias.getMessage().contains("[1, 3]"), bias.getMessage());

        AutodiffException dtype = assertThrows(AutodiffException.class,
                () -> BatchNorm.apply(x, c3, Tensor.constant(Nd4j.ones(DataType.FLOAT, 3)), null, null, 1e-5));
        assertTrue(dtype.getMessage().contains("batch_norm: dtypes differ"), dtype.getMessage());

        AutodiffException eps = assertThrows(AutodiffException.class, () -> BatchNorm.apply(x, c3, c3, null, null, -1));
        assertTrue(eps.getMessage().contains("eps") && eps.getMessage().contains("-1.0"), eps.getMessage());

        AutodiffException single = assertThrows(AutodiffException.class,
                () -> BatchNorm.applyTraining(Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 1, 3)), null, null, 1e-5));
        assertTrue(single.getMessage().contains("more than 1 value per channel") && single.getMessage().contains("[1, 3]"),
                single.getMessage());
    }
}
