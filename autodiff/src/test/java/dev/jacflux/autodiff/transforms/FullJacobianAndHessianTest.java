package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.FiniteDifferences;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

class FullJacobianAndHessianTest {
    private final Tensor w1 = Tensor.constant(Gen.random(21, 7, 5));
    private final Tensor b1 = Tensor.constant(Gen.random(22, 7, 1));
    private final Tensor w2 = Tensor.constant(Gen.random(23, 6, 7));
    private final Tensor b2 = Tensor.constant(Gen.random(24, 6, 1));
    /** The full-jac benchmark function at small size: W2 tanh(W1 x + b1) + b2, x [5, 1]. */
    private final Function<Tensor, Tensor> f = x -> w2.matmul(w1.matmul(x).add(b1).tanh()).add(b2);
    private final Function<Tensor, Tensor> logsumexp = x -> f.apply(x).exp().sum().log();
    private final INDArray x = Gen.random(25, 5, 1);

    @ParameterizedTest
    @ValueSource(longs = {1, 3, 0})
    void jacrevEqualsJacfwdEqualsLoopEqualsFiniteDifferences(long chunk) {
        INDArray rev = Autodiff.jacrev(f, x, chunk);
        INDArray fwd = Autodiff.jacfwd(f, x, chunk);
        Close.assertClose("jacrev vs jacfwd", rev, fwd, 1e-12, 1e-10);
        Close.assertClose("jacrev vs loop", RowLoop.jacobian(f, x), rev, 1e-12, 1e-10);
        INDArray fd = FiniteDifferences.jacobian(v -> f.apply(v.get(0)), List.of(x), 0).reshape(6, 1, 5, 1);
        Close.assertFd("jacrev vs finite differences", fd, rev);
    }

    @Test
    void autoPicksForwardModeForNarrowInputs() {
        FullJacobian.Job wide = FullJacobian.of(f).prepare(x);            // 5 inputs, 6 outputs
        assertTrue(wide.forwardMode());
        FullJacobian.Job narrow = FullJacobian.of(v -> v.sum(true, 0)).prepare(x);   // 5 inputs, 1 output
        assertFalse(narrow.forwardMode());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 0})
    void hessianMatchesFiniteDifferencesOfTheGradient(long chunk) {
        INDArray h = Hessian.of(logsumexp, JacobianOptions.DEFAULT.withChunkSize(chunk)).compute(x);
        INDArray fd = FiniteDifferences.jacobian(v -> Tensor.constant(Autodiff.grad(logsumexp, v.get(0).value())), List.of(x), 0);
        Close.assertFd("hessian", fd.reshape(5, 1, 5, 1), h);
        Close.assertClose("symmetric", h.reshape(5, 5).transpose(), h.reshape(5, 5), 1e-12, 1e-10);
    }

    @Test
    void hvpEqualsHessianTimesVector() {
        INDArray v = Gen.random(26, 5, 1);
        INDArray h = Autodiff.hessian(logsumexp, x).reshape(5, 5);
        Close.assertClose("hvp", h.mmul(v.reshape(5, 1)).reshape(5, 1), Autodiff.hvp(logsumexp, x, v), 1e-12, 1e-10);
    }

    @Test
    void hessianOfALinearFunctionIsZero() {
        INDArray h = Autodiff.hessian(v -> v.sum(), x);
        assertTrue(h.amaxNumber().doubleValue() == 0.0);
    }

    @Test
    void hessianRefusesNonScalarFunctions() {
        AutodiffException e = assertThrows(AutodiffException.class, () -> Autodiff.hessian(f, x));
        assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("[6, 1]"), e.getMessage());
    }
}
