package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.FullJacobian;
import dev.jacflux.autodiff.transforms.Hessian;
import dev.jacflux.autodiff.transforms.PerSampleGradients;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The hand-written floors equal the engine's results (float64, so the tolerance is tight). */
class FloorsTest {
    private static final DataType D = DataType.DOUBLE;

    static void assertSame(String what, INDArray expected, INDArray actual, double tol) {
        assertTrue(expected.length() == actual.length(), what + ": " + expected.length() + " vs " + actual.length() + " elements");
        INDArray e = expected.reshape('c', new long[] {expected.length()}).castTo(D);
        INDArray a = actual.reshape('c', new long[] {actual.length()}).castTo(D);
        double diff = Transforms.abs(e.sub(a), false).maxNumber().doubleValue();
        double scale = Math.max(1e-300, e.amaxNumber().doubleValue());
        assertTrue(diff <= tol * scale, what + ": max |diff| " + diff + " > " + tol + " * " + scale);
        assertTrue(scale > 1e-6, what + ": degenerate reference (all zero?)");
    }

    @Test
    void convFloorEqualsEngine() {
        INDArray x = ConvJacobianCase.input(Size.TINY).castTo(D);
        INDArray w = ConvJacobianCase.weights(Size.TINY).castTo(D);
        INDArray engine = BatchJacobian.of(ConvJacobianCase.function(w)).compute(x);
        INDArray floor = new Floors.ConvCopy(w, 4).compute();
        assertArrayEquals(new long[] {4, 6, 75}, floor.shape());
        assertSame("conv floor", engine, floor, 1e-12);
    }

    @Test
    void fullJacobianFloorEqualsEngine() {
        TwoLayerModel m = TwoLayerModel.of(Size.TINY).as(D);
        INDArray engine = FullJacobian.of(m.f()).compute(m.x());
        Floors.TwoLayerFullJacobian floor = new Floors.TwoLayerFullJacobian(m.w1(), m.b1(), m.w2());
        INDArray first = floor.compute(m.x());
        assertArrayEquals(new long[] {6, 7}, first.shape());
        assertSame("full-jac floor", engine, first, 1e-12);
        assertSame("full-jac floor, second call into the same buffer", engine, floor.compute(m.x()), 1e-12);
    }

    @Test
    void hessianFloorEqualsEngine() {
        TwoLayerModel m = TwoLayerModel.of(Size.TINY).as(D);
        INDArray engine = Hessian.of(m.logSumExp()).compute(m.x());
        INDArray floor = new Floors.LogSumExpHessian(m.w1(), m.b1(), m.w2(), m.b2()).compute(m.x());
        assertArrayEquals(new long[] {7, 7}, floor.shape());
        assertSame("hessian floor", engine, floor, 1e-12);
        assertSame("hessian floor is symmetric", floor, floor.transpose().dup(), 1e-12);
    }

    @Test
    void hessianFloorEqualsEngineAtALargerSize() {
        // more hidden units than inputs and outputs, so that every term of the closed form matters
        INDArray x = SeededData.gaussian(31, 1.0, 9, 1).castTo(D);
        INDArray w1 = SeededData.gaussian(32, 0.5, 13, 9).castTo(D);
        INDArray b1 = SeededData.gaussian(33, 0.3, 13, 1).castTo(D);
        INDArray w2 = SeededData.gaussian(34, 0.5, 11, 13).castTo(D);
        INDArray b2 = SeededData.gaussian(35, 0.3, 11, 1).castTo(D);
        TwoLayerModel m = new TwoLayerModel(x, w1, b1, w2, b2);
        INDArray engine = Hessian.of(m.logSumExp()).compute(x);
        assertSame("hessian floor 9-13-11", engine, new Floors.LogSumExpHessian(w1, b1, w2, b2).compute(x), 1e-12);
    }

    @Test
    void scalingFloorEqualsEngine() {
        INDArray x = SeededData.gaussian(1, 1.0, 3, 5).castTo(D);
        INDArray w1 = SeededData.gaussian(2, 0.5, 5, 6).castTo(D);
        INDArray w2 = SeededData.gaussian(3, 0.5, 6, 4).castTo(D);
        Tensor tw1 = Tensor.constant(w1);
        Tensor tw2 = Tensor.constant(w2);
        Function<Tensor, Tensor> f = v -> v.matmul(tw1).tanh().matmul(tw2);
        INDArray engine = BatchJacobian.of(f).compute(x);
        INDArray floor = new Floors.TwoLayerBatchJacobian(w1, w2, 3).compute(x);
        assertArrayEquals(new long[] {3, 4, 5}, floor.shape());
        assertSame("scaling floor", engine, floor, 1e-12);
    }

    @Test
    void mlpFloorEqualsEngine() {
        INDArray x = MlpGradsCase.inputs(Size.TINY).castTo(D);
        INDArray labels = MlpGradsCase.labels(Size.TINY);
        List<INDArray> params = MlpGradsCase.parameters(Size.TINY).stream().map(p -> p.castTo(D)).toList();
        INDArray engine = PerSampleGradients.of(MlpGradsCase.loss()).compute(x, labels, params, MlpGradsCase.NAMES).matrix();
        INDArray floor = Floors.MlpOuterProducts.forTanhMlp(x, labels, params).compute();
        assertArrayEquals(engine.shape(), floor.shape());
        assertSame("mlp floor", engine, floor, 1e-12);
    }
}
