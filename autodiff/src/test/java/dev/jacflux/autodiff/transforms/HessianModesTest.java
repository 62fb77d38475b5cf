package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Forward-over-reverse and reverse-over-reverse Hessians against central differences of the gradient, float64. */
class HessianModesTest {
    private static final double H = 1e-5;

    /** logsumexp(W2 tanh(W1 x + b1)), the benchmark's function at a small size. */
    private static Function<Tensor, Tensor> function() {
        Tensor w1 = Tensor.constant(Gen.random(31, 5, 7));
        Tensor b1 = Tensor.constant(Gen.random(32, 5, 1));
        Tensor w2 = Tensor.constant(Gen.random(33, 6, 5));
        return v -> w2.matmul(w1.matmul(v).add(b1).tanh()).exp().sum().log();
    }

    private static INDArray finiteDifferenceHessian(Function<Tensor, Tensor> f, INDArray x) {
        long n = x.length();
        INDArray h = Nd4j.zeros(DataType.DOUBLE, n, n);
        for (long j = 0; j < n; j++) {
            INDArray plus = x.dup();
            INDArray minus = x.dup();
            plus.putScalar(j, x.getDouble(j) + H);
            minus.putScalar(j, x.getDouble(j) - H);
            INDArray column = Autodiff.grad(f, plus).sub(Autodiff.grad(f, minus)).divi(2 * H);
            h.putColumn((int) j, column.reshape(n, 1));
        }
        return h;
    }

    @Test
    void bothModesEqualFiniteDifferencesOfTheGradient() {
        Function<Tensor, Tensor> f = function();
        INDArray x = Gen.random(34, 7, 1);
        INDArray expected = finiteDifferenceHessian(f, x);
        for (JacobianOptions.Mode mode : JacobianOptions.Mode.values()) {
            for (long chunk : new long[] {0, 3}) {
                Hessian hessian = Hessian.of(f, JacobianOptions.DEFAULT.withMode(mode).withChunkSize(chunk));
                assertTrue(hessian.prepare(x).forwardOverReverse() == (mode == JacobianOptions.Mode.FORWARD), mode.toString());
                Close.assertFd("hessian " + mode + ", chunk " + chunk, expected, hessian.compute(x).reshape(7, 7));
            }
        }
        assertFalse(Hessian.of(f).prepare(x).forwardOverReverse(), "the default is reverse over reverse");
    }
}
