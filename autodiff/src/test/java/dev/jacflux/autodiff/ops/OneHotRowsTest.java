package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Products with identity-row blocks are gathers, and everything else is still a GEMM. */
class OneHotRowsTest {
    private static final int K = 64;
    private static final int N = 256;
    private static final int M = 200;

    private static INDArray oneHot(DataType dt) {
        INDArray a = Nd4j.zeros(dt, K, N);
        for (int k = 0; k < K; k++) {
            a.putScalar(k, (k * 37 + 5) % N, 1.0);
        }
        return a;
    }

    private static INDArray reference(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mmul(b.castTo(DataType.DOUBLE));
    }

    @Test
    void identityRowsAreRecognisedAndGiveTheProduct() {
        INDArray a = oneHot(DataType.DOUBLE);
        INDArray idx = OneHotRows.columns(a, M);
        assertNotNull(idx);
        assertArrayEquals(new long[] {5, 42, 79}, java.util.Arrays.copyOf(idx.toLongVector(), 3));
        INDArray b = Gen.random(1, N, M);
        Close.assertClose("gather", reference(a, b), MatMulKernel.multiply(a, b), 0, 0);
        INDArray bt = Gen.random(2, M, N).transpose();                       // an f-order view: transposed GEMM flag
        Close.assertClose("gather from a transposed right operand", reference(a, bt), MatMulKernel.multiply(a, bt), 0, 0);
        INDArray f = oneHot(DataType.FLOAT);
        Close.assertClose("float32", reference(f, b.castTo(DataType.FLOAT)), MatMulKernel.multiply(f, b.castTo(DataType.FLOAT)), 0, 0);
    }

    @Test
    void nearIdentityRowsAreStillMultiplied() {
        INDArray b = Gen.random(3, N, M);
        INDArray twoOnes = oneHot(DataType.DOUBLE);
        twoOnes.putScalar(10, 0, 1.0);                         // row 10 has two ones, another row none
        twoOnes.putScalar(11, (11 * 37 + 5) % N, 0.0);
        assertNull(OneHotRows.columns(twoOnes, M));
        Close.assertClose("two ones in a row", reference(twoOnes, b), MatMulKernel.multiply(twoOnes, b), 1e-12, 1e-12);
        INDArray scaled = oneHot(DataType.DOUBLE).muli(2.0);
        assertNull(OneHotRows.columns(scaled, M));
        Close.assertClose("scaled", reference(scaled, b), MatMulKernel.multiply(scaled, b), 1e-12, 1e-12);
        INDArray extra = oneHot(DataType.DOUBLE);
        extra.putScalar(3, 7, 0.5);
        assertNull(OneHotRows.columns(extra, M));
        Close.assertClose("an extra entry", reference(extra, b), MatMulKernel.multiply(extra, b), 1e-12, 1e-12);
        INDArray dense = Gen.random(4, K, N);
        assertNull(OneHotRows.columns(dense, M));
        assertNull(OneHotRows.columns(oneHot(DataType.DOUBLE), 2), "too small a product to check");
    }
}
