package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.autodiff.testing.Gen;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Padded float32 unfoldings go through heap arrays when small and through native memory when not
 * ({@link Im2ColKernel#STAGED_MAX}); both give the plain loop's columns, with any pad value.
 */
class Im2ColStagedTest {

    /** The columns of a seeded {@code [n, c, h, w]} against the plain loop's, bit for bit, the pad value where a window leaves the image. */
    static void check(long n, long c, long h, long w, int kh, int kw, Conv2dSpec spec, double pad) {
        INDArray x = Gen.random(21, n, c, h, w).castTo(DataType.FLOAT);
        INDArray got = ConvKernels.im2col(x, kh, kw, spec, pad);
        INDArray ref = ConvReference.im2col(x.castTo(DataType.DOUBLE), kh, kw, spec);
        INDArray mask = ConvReference.im2col(x.castTo(DataType.DOUBLE).assign(1.0), kh, kw, spec);
        float[] g = got.dup('c').data().asFloat();
        double[] r = ref.dup('c').data().asDouble();
        double[] m = mask.dup('c').data().asDouble();
        assertEquals(r.length, g.length);
        for (int k = 0; k < g.length; k++) {
            float expected = m[k] == 0.0 ? (float) pad : (float) r[k];
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(g[k]), "entry " + k + " of " + spec + " pad " + pad);
        }
    }

    @Test
    void smallPaddedUnfoldingsThroughHeapArrays() {
        check(2, 3, 7, 6, 3, 3, new Conv2dSpec(1, 1, 1, 1, 1, 1), 0.0);
        check(2, 2, 7, 9, 3, 2, new Conv2dSpec(2, 1, 2, 1, 1, 2), Double.NEGATIVE_INFINITY);
        check(1, 4, 5, 5, 5, 5, new Conv2dSpec(1, 1, 2, 2, 1, 1), -3.5);
    }

    @Test
    void largePaddedUnfoldingsOnNativeMemory() {
        // 8 x 16 x 32 x 32 with 3x3, padding 1 and dilation 2 (ow = 30, so not the aligned-rows path of
        // Im2ColAlignedTest): 1.04M column entries, above the staging limit
        check(8, 16, 32, 32, 3, 3, new Conv2dSpec(1, 1, 1, 1, 2, 2), 0.0);
        check(8, 16, 32, 32, 3, 3, new Conv2dSpec(1, 1, 1, 1, 2, 2), Double.NEGATIVE_INFINITY);
    }
}
