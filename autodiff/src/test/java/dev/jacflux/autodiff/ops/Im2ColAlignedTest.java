package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float32 convolutions with unit strides and dilations that keep the width ({@code ow == w}, e.g.
 * 3x3 with padding 1) unfold and fold whole column blocks as runs of a plane extended by a margin
 * ({@link Im2ColKernel.Geometry#aligned()}); the columns must equal the plain loop's (pad value
 * included) and the folded images must equal the element-wise path's bit for bit, also when
 * entries that fall into the padding hold NaN or infinity (they are dropped, not added).
 */
class Im2ColAlignedTest {

    /** {c, h, w, kh, kw, ph, pw}: all with ow == w. */
    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of(3, 7, 6, 3, 3, 1, 1),
                Arguments.of(2, 5, 9, 5, 5, 2, 2),
                Arguments.of(4, 6, 5, 3, 5, 1, 2),
                Arguments.of(2, 4, 7, 1, 3, 0, 1),
                Arguments.of(3, 6, 6, 3, 3, 0, 1),      // oh = h - 2, ow = w
                Arguments.of(1, 1, 5, 3, 3, 1, 1),      // one image row: blocks of the outer kernel rows are all padding
                Arguments.of(2, 8, 8, 7, 7, 3, 3),
                Arguments.of(16, 16, 16, 3, 3, 1, 1));
    }

    private static Im2ColKernel.Geometry geometry(int h, int w, int kh, int kw, Conv2dSpec spec) {
        return new Im2ColKernel.Geometry(h, w, kh, kw, spec, DataType.FLOAT);
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void unfoldsAsThePlainLoop(int c, int h, int w, int kh, int kw, int ph, int pw) {
        Conv2dSpec spec = new Conv2dSpec(1, 1, ph, pw, 1, 1);
        assertTrue(geometry(h, w, kh, kw, spec).aligned(), "aligned geometry");
        for (double pad : new double[] {0.0, Double.NEGATIVE_INFINITY, 2.5}) {
            Im2ColStagedTest.check(3, c, h, w, kh, kw, spec, pad);
        }
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void foldsBitForBitAsTheElementwisePath(int c, int h, int w, int kh, int kw, int ph, int pw) {
        Conv2dSpec spec = new Conv2dSpec(1, 1, ph, pw, 1, 1);
        Im2ColKernel.Geometry geo = geometry(h, w, kh, kw, spec);
        assertTrue(geo.aligned(), "aligned geometry");
        int n = 3;
        INDArray cols = Gen.random(41 + c, n, c * geo.columnsPerPlane()).castTo(DataType.FLOAT);
        // NaN and infinity at some entries, in the padding and inside the image
        Random rnd = new Random(5 + c);
        for (int k = 0; k < 6; k++) {
            cols.putScalar(rnd.nextInt((int) cols.length()), k % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY);
        }
        INDArray aligned = Nd4j.createUninitialized(DataType.FLOAT, n, c, h, w).assign(7);
        INDArray direct = Nd4j.createUninitialized(DataType.FLOAT, n, c, h, w).assign(-7);
        geo.col2im(NativeMemory.address(cols), NativeMemory.address(aligned), (long) n * c);
        geometry(h, w, kh, kw, spec).col2imDirect(NativeMemory.address(cols), NativeMemory.address(direct), (long) n * c);
        float[] a = aligned.data().asFloat();
        float[] d = direct.data().asFloat();
        for (int k = 0; k < a.length; k++) {
            assertEquals(Float.floatToIntBits(d[k]), Float.floatToIntBits(a[k]), "pixel " + k + " of " + spec);
        }
        INDArray finite = Gen.random(43 + c, n, c * geo.columnsPerPlane()).castTo(DataType.FLOAT);
        INDArray expected = ConvReference.col2im(finite.castTo(DataType.DOUBLE).reshape(n, c * kh * kw, geo.oh * geo.ow), c, h, w, kh, kw, spec);
        INDArray got = ConvKernels.col2im(finite.reshape(n, c * kh * kw, geo.oh * geo.ow), c, h, w, kh, kw, spec);
        Close.assertClose("col2im " + spec, expected, got.castTo(DataType.DOUBLE), 1e-5, 1e-5);
    }

    @Test
    void onlyUnitStepsThatKeepTheWidthAreAligned() {
        assertFalse(geometry(8, 8, 3, 3, new Conv2dSpec(2, 2, 1, 1, 1, 1)).aligned(), "stride 2");
        assertFalse(geometry(8, 8, 3, 3, new Conv2dSpec(1, 1, 2, 2, 2, 2)).aligned(), "dilation 2");
        assertFalse(geometry(8, 8, 3, 3, new Conv2dSpec(1, 1, 0, 0, 1, 1)).aligned(), "no padding: ow = w - 2");
        assertFalse(new Im2ColKernel.Geometry(8, 8, 3, 3, new Conv2dSpec(1, 1, 1, 1, 1, 1), DataType.DOUBLE).aligned(), "float64");
        assertTrue(geometry(8, 8, 3, 3, new Conv2dSpec(1, 1, 1, 1, 1, 1)).aligned(), "3x3 padding 1");
    }
}
