package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class LayerNormTest {

    /** Plain-loop float64 reference: x seen as [outer, inner], weight/bias as [inner] (or null). */
    static INDArray reference(INDArray x, long[] ns, INDArray w, INDArray b, double eps) {
        int inner = (int) Shapes.numel(ns);
        double[] xs = x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] ws = w == null ? null : w.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] bs = b == null ? null : b.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] out = new double[xs.length];
        for (int o = 0; o < xs.length / inner; o++) {
            double mean = 0;
            for (int j = 0; j < inner; j++) {
                mean += xs[o * inner + j];
            }
            mean /= inner;
            double var = 0;
            for (int j = 0; j < inner; j++) {
                double d = xs[o * inner + j] - mean;
                var += d * d;
            }
            var /= inner;
            for (int j = 0; j < inner; j++) {
                double y = (xs[o * inner + j] - mean) / Math.sqrt(var + eps);
                if (ws != null) {
                    y *= ws[j];
                }
                if (bs != null) {
                    y += bs[j];
                }
                out[o * inner + j] = y;
            }
        }
        return Nd4j.create(out, x.shape(), DataType.DOUBLE);
    }

    @Test
    void forwardMatchesPlainLoopOverLastAxisAndLastTwoAxes() {
        INDArray x = Gen.normal().sample(new Random(1), new long[] {2, 3, 4});
        INDArray w = Gen.random(2, 4);
        INDArray b = Gen.random(3, 4);
        Tensor y1 = LayerNorm.apply(Tensor.constant(x), new long[] {4}, Tensor.constant(w), Tensor.constant(b), 1e-5);
        Close.assertClose("last axis", reference(x, new long[] {4}, w, b, 1e-5), y1.value(), 1e-12, 1e-12);

        INDArray w2 = Gen.random(4, 3, 4);
        INDArray b2 = Gen.random(5, 3, 4);
        Tensor y2 = LayerNorm.apply(Tensor.constant(x), new long[] {3, 4}, Tensor.constant(w2), Tensor.constant(b2), 1e-3);
        Close.assertClose("last two axes", reference(x, new long[] {3, 4}, w2, b2, 1e-3), y2.value(), 1e-12, 1e-12);

        Tensor y3 = LayerNorm.apply(Tensor.constant(x), new long[] {2, 3, 4}, null, null, 0.5);
        Close.assertClose("all axes, no affine, large eps", reference(x, new long[] {2, 3, 4}, null, null, 0.5), y3.value(), 1e-12, 1e-12);

        Tensor y4 = LayerNorm.apply(Tensor.constant(x), new long[] {4}, null, Tensor.constant(b), 1e-5);
        Close.assertClose("bias only", reference(x, new long[] {4}, null, b, 1e-5), y4.value(), 1e-12, 1e-12);
    }

    @Test
    void forwardNormalizesEachRowToZeroMeanUnitVariance() {
        INDArray x = Nd4j.create(new double[] {1, 2, 3, 4, -2, 0, 2, 4}, new long[] {2, 4}, DataType.DOUBLE);
        INDArray y = LayerNorm.apply(Tensor.constant(x), new long[] {4}, null, null, 0.0).value();
        // row 0: mean 2.5, biased var 1.25
        double s = Math.sqrt(1.25);
        INDArray expected = Nd4j.create(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, -3 / Math.sqrt(5), -1 / Math.sqrt(5),
            1 / Math.sqrt(5), 3 / Math.sqrt(5)}, new long[] {2, 4}, DataType.DOUBLE);
        Close.assertClose("hand computed", expected, y, 1e-12, 1e-12);
    }

    @Test
    void forwardInFloat32StaysFloat32AndClose() {
        INDArray x = Gen.normal().sample(new Random(7), new long[] {3, 5});
        INDArray w = Gen.random(8, 5);
        Tensor y = LayerNorm.apply(Tensor.constant(x.castTo(DataType.FLOAT)), new long[] {5},
                Tensor.constant(w.castTo(DataType.FLOAT)), null, 1e-5);
        assertEquals(DataType.FLOAT, y.dtype());
        Close.assertClose("float32", reference(x, new long[] {5}, w, null, 1e-5), y.value(), 1e-5, 1e-4);
    }

    /** loss[n] = sum over the normalized axes of sin(layer_norm(x)[n]) * c. */
    private static Tensor loss(Tensor x, long[] ns, Tensor w, Tensor b, INDArray c) {
        Tensor y = LayerNorm.apply(x, ns, w, b, 1e-5).sin().mul(Tensor.constant(c));
        int[] axes = new int[ns.length];
        for (int i = 0; i < ns.length; i++) {
            axes[i] = x.rank() - ns.length + i;
        }
        return y.sum(axes);
    }

    private static INDArray expand(Tensor t, long[] shape) {
        return t.value().broadcast(shape).dup('c');
    }

    @Test
    void perSampleWeightAndBiasGradientsEqualSingleSampleBackwardPasses() {
        int n = 4;
        long[] ns = {2, 3};
        Random rnd = new Random(11);
        INDArray xs = Gen.normal().sample(rnd, new long[] {n, 2, 3});
        INDArray ws = Gen.uniform().sample(rnd, ns);
        INDArray bs = Gen.uniform().sample(rnd, ns);
        INDArray c = Gen.uniform().sample(rnd, ns);

        Tensor x = Tensor.variable(xs);
        Tensor w = Tensor.variable(ws);
        Tensor b = Tensor.variable(bs);
        Tensor l = loss(x, ns, w, b, c);
        assertEquals(1, l.rank());
        assertEquals(n, l.size(0));
        List<Tensor> per = Backprop.pullback(List.of(l), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, n))),
                List.of(w, b), Backprop.Options.perSample(Set.of(x), n));
        long[] perShape = {1, n, 2, 3};
        INDArray gw = expand(per.get(0), perShape);
        INDArray gb = expand(per.get(1), perShape);

        INDArray sumW = Nd4j.zeros(DataType.DOUBLE, ns);
        for (int i = 0; i < n; i++) {
            Tensor xi = Tensor.constant(xs.get(NDArrayIndex.interval(i, i + 1),
                    NDArrayIndex.all(), NDArrayIndex.all()).dup('c'));
            Tensor wi = Tensor.variable(ws);
            Tensor bi = Tensor.variable(bs);
            Tensor li = loss(xi, ns, wi, bi, c);
            List<Tensor> single = Backprop.pullback(List.of(li), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 1))),
                    List.of(wi, bi), Backprop.Options.DEFAULT);
            INDArray ewi = expand(single.get(0), new long[] {1, 2, 3}).reshape(ns);
            INDArray ebi = expand(single.get(1), new long[] {1, 2, 3}).reshape(ns);
            Close.assertClose("per-sample weight grad, sample " + i, ewi, gw.get(NDArrayIndex.point(0),
                    NDArrayIndex.point(i)).dup('c'), 1e-12, 1e-10);
            Close.assertClose("per-sample bias grad, sample " + i, ebi, gb.get(NDArrayIndex.point(0),
                    NDArrayIndex.point(i)).dup('c'), 1e-12, 1e-10);
            sumW.addi(ewi);
        }
        // and the rows are not all the same (the test would not notice a broadcast bug otherwise)
        INDArray row0 = gw.get(NDArrayIndex.point(0), NDArrayIndex.point(0));
        INDArray row1 = gw.get(NDArrayIndex.point(0), NDArrayIndex.point(1));
        assertTrue(row0.sub(row1).amaxNumber().doubleValue() > 1e-3, "per-sample rows differ");

        // the ordinary (summed) gradient equals the sum of the per-sample rows
        Tensor x2 = Tensor.variable(xs);
        Tensor w2 = Tensor.variable(ws);
        Tensor b2 = Tensor.variable(bs);
        Tensor l2 = loss(x2, ns, w2, b2, c);
        Tensor gsum = Backprop.pullback(List.of(l2), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, n))),
                List.of(w2), Backprop.Options.DEFAULT).get(0);
        Close.assertClose("summed weight grad", sumW, expand(gsum, new long[] {1, 2, 3}).reshape(ns), 1e-12, 1e-10);
    }

    @Test
    void trailingShapeMismatchNamesBothShapes() {
        Tensor x = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3, 4));
        AutodiffException e = assertThrows(AutodiffException.class,
                () -> LayerNorm.apply(x, new long[] {3}, null, null, 1e-5));
        assertTrue(e.getMessage().contains("layer_norm") && e.getMessage().contains("[3]")
                && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        AutodiffException tooLong = assertThrows(AutodiffException.class,
                () -> LayerNorm.apply(x, new long[] {1, 2, 3, 4}, null, null, 1e-5));
        assertTrue(tooLong.getMessage().contains("[1, 2, 3, 4]") && tooLong.getMessage().contains("[2, 3, 4]"), tooLong.getMessage());
    }

    @Test
    void emptyNormalizedShapeIsRefused() {
        Tensor x = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3));
        AutodiffException e = assertThrows(AutodiffException.class, () -> LayerNorm.apply(x, new long[0], null, null, 1e-5));
        assertTrue(e.getMessage().contains("at least one axis") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void weightAndBiasMustHaveNormalizedShape() {
        Tensor x = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3, 4));
        Tensor w = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 4));
        AutodiffException ew = assertThrows(AutodiffException.class, () -> LayerNorm.apply(x, new long[] {3, 4}, w, null, 1e-5));
        assertTrue(ew.getMessage().contains("weight") && ew.getMessage().contains("[3, 4]") && ew.getMessage().contains("[4]"),
                ew.getMessage());
        Tensor b = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 4));
        AutodiffException eb = assertThrows(AutodiffException.class, () -> LayerNorm.apply(x, new long[] {4}, null, b, 1e-5));
        assertTrue(eb.getMessage().contains("bias") && eb.getMessage().contains("[1, 4]"), eb.getMessage());
    }

    @Test
    void dtypeMismatchAndBadEpsAreRefused() {
        Tensor x = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 4));
        Tensor w = Tensor.constant(Nd4j.ones(DataType.FLOAT, 4));
        AutodiffException ed = assertThrows(AutodiffException.class, () -> LayerNorm.apply(x, new long[] {4}, w, null, 1e-5));
        assertTrue(ed.getMessage().contains("layer_norm: dtypes differ"), ed.getMessage());
        AutodiffException ee = assertThrows(AutodiffException.class, () -> LayerNorm.apply(x, new long[] {4}, null, null, -1e-5));
        assertTrue(ee.getMessage().contains("eps") && ee.getMessage().contains("-1.0E-5"), ee.getMessage());
        assertThrows(AutodiffException.class, () -> LayerNorm.apply(x, new long[] {4}, null, null, Double.NaN));
    }
}
