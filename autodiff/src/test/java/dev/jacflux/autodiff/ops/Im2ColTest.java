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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Forward values of Im2Col/Col2Im against plain loops (libnd4j's argument order), and their errors. */
class Im2ColTest {

    static Stream<Arguments> geometries() {
        // N, C, H, W, kh, kw, spec
        return Stream.of(
                Arguments.of(2, 3, 5, 6, 2, 3, Conv2dSpec.DEFAULT),
                Arguments.of(2, 3, 5, 6, 2, 3, new Conv2dSpec(2, 1, 1, 0, 2, 1)),
                Arguments.of(1, 2, 7, 6, 3, 2, new Conv2dSpec(2, 3, 1, 1, 2, 2)),
                Arguments.of(1, 1, 4, 4, 3, 3, new Conv2dSpec(1, 1, 1, 1, 1, 1)),
                Arguments.of(3, 2, 5, 5, 5, 5, Conv2dSpec.DEFAULT),
                Arguments.of(2, 2, 6, 7, 1, 1, new Conv2dSpec(2, 2, 0, 0, 1, 1)),
                Arguments.of(1, 2, 4, 5, 2, 2, new Conv2dSpec(3, 2, 2, 1, 1, 3)));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void im2colMatchesPlainLoops(int n, int c, int h, int w, int kh, int kw, Conv2dSpec spec) {
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = Gen.random(11, n, c, h, w).castTo(dt);
            Tensor cols = Im2Col.apply(Tensor.constant(x), kh, kw, spec);
            INDArray expected = ConvReference.im2col(x, kh, kw, spec);
            assertEquals(dt, cols.dtype());
            Close.assertClose("im2col " + spec + " " + dt, expected, cols.value(), 1e-6, 1e-6);
        }
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void col2imMatchesPlainLoops(int n, int c, int h, int w, int kh, int kw, Conv2dSpec spec) {
        long[] o = spec.outputSize("test", h, w, kh, kw);
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray cols = Gen.random(12, n, (long) c * kh * kw, o[0] * o[1]).castTo(dt);
            Tensor img = Col2Im.apply(Tensor.constant(cols), h, w, kh, kw, spec);
            INDArray expected = ConvReference.col2im(cols, c, h, w, kh, kw, spec);
            assertEquals(dt, img.dtype());
            Close.assertClose("col2im " + spec + " " + dt, expected, img.value(), 1e-5, 1e-5);
        }
    }

    @Test
    void im2colOfNonContiguousInput() {
        INDArray base = Gen.random(13, 3, 2, 5, 6);
        INDArray view = base.permute(1, 0, 2, 3); // [2, 3, 5, 6], not c-contiguous
        Conv2dSpec spec = new Conv2dSpec(1, 2, 1, 1, 1, 1);
        Close.assertClose("im2col of a view", ConvReference.im2col(view.dup('c'), 2, 2, spec),
                Im2Col.apply(Tensor.constant(view), 2, 2, spec).value(), 1e-12, 1e-12);
    }

    @Test
    void kernelPadsWithTheGivenValue() {
        Conv2dSpec spec = new Conv2dSpec(2, 1, 1, 2, 1, 2);
        INDArray x = Gen.random(18, 2, 2, 4, 5);
        INDArray zeros = ConvKernels.im2col(x, 2, 3, spec);
        INDArray inf = ConvKernels.im2col(x, 2, 3, spec, Double.NEGATIVE_INFINITY);
        INDArray ones = Nd4j.ones(DataType.DOUBLE, x.shape());
        // padding positions: where the unfolded all-ones image is 0
        INDArray padded = ConvReference.im2col(ones, 2, 3, spec).eq(0.0).castTo(DataType.DOUBLE);
        Close.assertClose("zero padding", ConvReference.im2col(x, 2, 3, spec), zeros, 0, 0);
        double[] pz = padded.dup('c').data().asDouble();
        double[] z = zeros.dup('c').data().asDouble();
        double[] m = inf.dup('c').data().asDouble();
        int pads = 0;
        for (int k = 0; k < pz.length; k++) {
            if (pz[k] == 1.0) {
                pads++;
                assertEquals(Double.NEGATIVE_INFINITY, m[k], "padding entry " + k);
            } else {
                assertEquals(z[k], m[k], "image entry " + k);
            }
        }
        assertTrue(pads > 0);
    }

    @Test
    void adjointOfEachOther() {
        Conv2dSpec spec = new Conv2dSpec(2, 1, 1, 1, 1, 2);
        INDArray x = Gen.random(14, 2, 2, 5, 6);
        Tensor cols = Im2Col.apply(Tensor.constant(x), 3, 2, spec);
        INDArray v = Gen.random(15, cols.shape());
        double lhs = cols.value().mul(v).sumNumber().doubleValue();
        double rhs = Col2Im.apply(Tensor.constant(v), 5, 6, 3, 2, spec).value().mul(x).sumNumber().doubleValue();
        assertEquals(lhs, rhs, 1e-10);
    }

    @Test
    void batchInvariantCotangentStaysBatchInvariant() {
        Tensor x = Tensor.variable(Gen.random(16, 3, 2, 4, 5));
        Tensor cols = Im2Col.apply(x, 2, 2, Conv2dSpec.DEFAULT);
        INDArray seed = Gen.random(17, 2, 1, cols.size(1), cols.size(2));
        Tensor gx = Backprop.pullback(List.of(cols), List.of(Tensor.constant(seed)), List.of(x), Backprop.Options.DEFAULT).get(0);
        assertArrayEquals(new long[] {2, 1, 2, 4, 5}, gx.shape());
        INDArray expected = ConvReference.col2im(seed.reshape(2, cols.size(1), cols.size(2)), 2, 4, 5, 2, 2, Conv2dSpec.DEFAULT);
        Close.assertClose("batch-invariant col2im", expected.reshape(2, 1, 2, 4, 5), gx.value(), 1e-12, 1e-12);
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Tensor x3 = Tensor.constant(Gen.random(1, 2, 4, 4));
        AutodiffException e = assertThrows(AutodiffException.class, () -> Im2Col.apply(x3, 2, 2, Conv2dSpec.DEFAULT));
        assertTrue(e.getMessage().contains("im2col") && e.getMessage().contains("[2, 4, 4]"), e.getMessage());

        Tensor x = Tensor.constant(Gen.random(1, 1, 2, 3, 3));
        e = assertThrows(AutodiffException.class, () -> Im2Col.apply(x, 0, 2, Conv2dSpec.DEFAULT));
        assertTrue(e.getMessage().contains("kernel size must be positive"), e.getMessage());
        e = assertThrows(AutodiffException.class, () -> Im2Col.apply(x, 4, 2, Conv2dSpec.DEFAULT));
        assertTrue(e.getMessage().contains("im2col: output would be empty") && e.getMessage().contains("3 x 3"), e.getMessage());

        Tensor cols = Tensor.constant(Gen.random(1, 2, 8, 5));
        e = assertThrows(AutodiffException.class, () -> Col2Im.apply(cols, 3, 3, 2, 2, Conv2dSpec.DEFAULT));
        assertTrue(e.getMessage().contains("col2im: columns [2, 8, 5] do not fit image 3 x 3")
                && e.getMessage().contains("[N, C*4, 4]"), e.getMessage());
        Tensor cols2 = Tensor.constant(Gen.random(1, 8, 4));
        e = assertThrows(AutodiffException.class, () -> Col2Im.apply(cols2, 3, 3, 2, 2, Conv2dSpec.DEFAULT));
        assertTrue(e.getMessage().contains("col2im") && e.getMessage().contains("[8, 4]"), e.getMessage());
    }
}
