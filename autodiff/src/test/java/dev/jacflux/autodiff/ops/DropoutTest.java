package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DropoutTest {

    /** Plain reference: element i (row-major) is dropped when the i-th draw of Random(seed) is below p. */
    private static INDArray reference(INDArray x, double p, long seed) {
        double[] xs = x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        Random rnd = new Random(seed);
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = rnd.nextDouble() < p ? 0.0 : xs[i] / (1 - p);
        }
        return Nd4j.create(out, x.shape(), DataType.DOUBLE);
    }

    @Test
    void evalModeAndZeroProbabilityReturnTheInputItself() {
        Tensor x = Tensor.variable(Gen.random(1, 3, 4));
        assertSame(x, Dropout.apply(x, 0.3, false, 42L));
        assertSame(x, Dropout.apply(x, 0.0, true, 42L));
        assertSame(x, Dropout.apply(x, 1.0, false, 42L));
    }

    @Test
    void trainingMatchesSeededReferenceThroughMul() {
        INDArray xs = Gen.random(2, 2, 3, 4);
        Tensor x = Tensor.variable(xs);
        Tensor y = Dropout.apply(x, 0.3, true, 42L);
        assertInstanceOf(Mul.class, y.op());
        Close.assertClose("dropout", reference(xs, 0.3, 42L), y.value(), 1e-15, 1e-14);
        Close.assertClose("same seed, same mask", y.value(), Dropout.apply(x, 0.3, true, 42L).value(), 0, 0);
        assertNotEquals(y.value(), Dropout.apply(x, 0.3, true, 43L).value());
    }

    @Test
    void keptFractionIsAboutOneMinusPAndScaleIsInverted() {
        INDArray ones = Nd4j.ones(DataType.DOUBLE, 100, 100);
        INDArray y = Dropout.apply(Tensor.constant(ones), 0.3, true, 7L).value();
        long kept = 0;
        for (double v : y.dup('c').data().asDouble()) {
            if (v != 0) {
                assertEquals(1 / 0.7, v, 1e-15);
                kept++;
            }
        }
        assertEquals(0.7, kept / 10000.0, 0.03);
        assertEquals(1.0, y.meanNumber().doubleValue(), 0.05, "inverted dropout keeps the mean");
    }

    @Test
    void gradientIsTheMask() {
        INDArray xs = Gen.random(3, 3, 4);
        Tensor x = Tensor.variable(xs);
        Tensor y = Dropout.apply(x, 0.5, true, 9L);
        Tensor g = Backprop.pullback(List.of(y), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 3, 4))), List.of(x),
                Backprop.Options.DEFAULT).get(0);
        INDArray mask = reference(Nd4j.ones(DataType.DOUBLE, 3, 4), 0.5, 9L);
        Close.assertClose("gradient", mask.reshape(1, 3, 4), g.value().broadcast(1, 3, 4), 0, 0);
    }

    @Test
    void probabilityOneGivesZerosAndZeroGradient() {
        Tensor x = Tensor.variable(Gen.random(4, 2, 3));
        Tensor y = Dropout.apply(x, 1.0, true, 1L);
        Close.assertClose("p = 1", Nd4j.zeros(DataType.DOUBLE, 2, 3), y.value(), 0, 0);
        Tensor g = Backprop.pullback(List.of(y), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 2, 3))), List.of(x),
                Backprop.Options.DEFAULT).get(0);
        assertEquals(0.0, g.value().amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void float32StaysFloat32() {
        INDArray xs = Gen.random(5, 4, 5);
        Tensor y = Dropout.apply(Tensor.constant(xs.castTo(DataType.FLOAT)), 0.25, true, 3L);
        assertEquals(DataType.FLOAT, y.dtype());
        Close.assertClose("float32", reference(xs, 0.25, 3L), y.value(), 1e-6, 1e-6);
    }

    @Test
    void probabilityOutsideZeroOneIsRefusedNamingP() {
        Tensor x = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3));
        for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
            for (boolean training : new boolean[] {true, false}) {
                AutodiffException e = assertThrows(AutodiffException.class, () -> Dropout.apply(x, p, training, 0L));
                assertTrue(e.getMessage().contains("dropout") && e.getMessage().contains("p = " + p)
                        && e.getMessage().contains("[2, 3]"), e.getMessage());
            }
        }
    }
}
