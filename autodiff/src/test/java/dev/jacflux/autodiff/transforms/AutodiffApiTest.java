package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class AutodiffApiTest {
    private final Tensor w = Tensor.constant(Gen.random(41, 4, 3));
    private final Function<Tensor, Tensor> f = x -> x.matmul(w).tanh().mul(x.slice(1, 0, 3));
    private final INDArray x = Gen.random(42, 2, 4);

    @Test
    void vjpPullsBackBlocksOfCotangentsWithAnyLeadingAxes() {
        Autodiff.VjpResult r = Autodiff.vjp(f, x);
        INDArray jac = FiniteDifferences.jacobian(v -> f.apply(v.get(0)), List.of(x), 0);   // [6, 8]
        INDArray v = Gen.random(43, 2, 5, 2, 3);                                               // lead [2, 5]
        INDArray expected = v.reshape(10, 6).mmul(jac).reshape(2, 5, 2, 4);
        Close.assertFd("vjp", expected, r.pullback(v));
        Close.assertClose("value", FiniteDifferences.eval(in -> f.apply(in.get(0)), List.of(x)), r.value(), 0, 0);
    }

    @Test
    void jvpPushesForwardBlocksOfTangents() {
        INDArray jac = FiniteDifferences.jacobian(v -> f.apply(v.get(0)), List.of(x), 0);
        INDArray t = Gen.random(44, 3, 2, 4);
        Autodiff.JvpResult r = Autodiff.jvp(f, x, t);
        Close.assertFd("jvp", t.reshape(3, 8).mmul(jac.transpose()).reshape(3, 2, 3), r.tangent());
    }

    @Test
    void gradOfAScalarFunction() {
        Function<Tensor, Tensor> s = v -> f.apply(v).square().sum();
        INDArray fd = FiniteDifferences.gradient(a -> FiniteDifferences.eval(in -> s.apply(in.get(0)), List.of(a)).getDouble(0), x);
        Close.assertFd("grad", fd, Autodiff.grad(s, x));
        AutodiffException e = assertThrows(AutodiffException.class, () -> Autodiff.grad(f, x));
        assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void tapeScopeGivesGradientsAndJacobians() {
        // references by central differences in float64: the full Jacobian [2*3, 2*4] of f at x
        INDArray full = FiniteDifferences.jacobian(v -> f.apply(v.get(0)), List.of(x), 0);
        INDArray fullJac = full.reshape(2, 3, 2, 4);
        INDArray batchJac = Nd4j.zeros(DataType.DOUBLE, 2, 3, 4);
        for (int b = 0; b < 2; b++) {   // the diagonal blocks dy[b]/dx[b]
            batchJac.get(NDArrayIndex.point(b)).assign(fullJac.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(b),
                    NDArrayIndex.all()));
        }
        INDArray gradOfSum = full.sum(0).reshape(2, 4);
        try (Tape tape = Tape.start()) {
            Tensor xv = tape.watch(x);
            Tensor y = f.apply(xv);
            Close.assertFd("tape batch jacobian", batchJac, tape.batchJacobian(y, xv));
            Close.assertFd("tape jacobian", fullJac, tape.jacobian(y, xv));
            Close.assertFd("tape gradient", gradOfSum, tape.gradient(y.sum(), xv));
        }
    }

    @Test
    void nanAndInfinityPropagateAsIeeeArithmetic() {
        INDArray bad = x.dup();
        bad.putScalar(0, 0, Double.NaN);
        INDArray g = Autodiff.grad(v -> v.square().sum(), bad);
        assertTrue(Double.isNaN(g.getDouble(0, 0)), "NaN input gives a NaN derivative");
        assertTrue(!Double.isNaN(g.getDouble(1, 0)), "other entries are unaffected");
        INDArray zero = Nd4j.zeros(DataType.DOUBLE, 1, 1);
        INDArray gl = Autodiff.grad(v -> v.log().sum(), zero);
        assertTrue(Double.isInfinite(gl.getDouble(0, 0)), "d log(x)/dx at 0 is infinite, not clamped");
    }

    @Test
    void errorsNameOpShapesAndExpectation() {
        Tensor a = Tensor.constant(Gen.random(1, 4, 3));
        Tensor b = Tensor.constant(Gen.random(2, 5, 2));
        AutodiffException mm = assertThrows(AutodiffException.class, () -> a.matmul(b));
        assertTrue(mm.getMessage().startsWith("matmul") && mm.getMessage().contains("[4, 3]") && mm.getMessage().contains("[5, 2]"),
                mm.getMessage());
        AutodiffException add = assertThrows(AutodiffException.class, () -> a.add(b));
        assertTrue(add.getMessage().startsWith("add") && add.getMessage().contains("do not broadcast"), add.getMessage());
        AutodiffException dtype = assertThrows(AutodiffException.class, () -> a.add(Tensor.constant(Nd4j.ones(DataType.FLOAT, 4, 3))));
        assertTrue(dtype.getMessage().contains("dtypes differ"), dtype.getMessage());
        AutodiffException intDtype = assertThrows(AutodiffException.class, () -> Tensor.variable(Nd4j.ones(DataType.INT32, 2)));
        assertTrue(intDtype.getMessage().contains("unsupported dtype INT"), intDtype.getMessage());
        AutodiffException reshape = assertThrows(AutodiffException.class, () -> a.reshape(5, 2));
        assertTrue(reshape.getMessage().contains("[4, 3]") && reshape.getMessage().contains("[5, 2]"), reshape.getMessage());
        AutodiffException vjp = assertThrows(AutodiffException.class, () -> Autodiff.vjp(f, x).pullback(Nd4j.ones(DataType.DOUBLE, 3)));
        assertTrue(vjp.getMessage().contains("cotangent"), vjp.getMessage());
        assertArrayEquals(new long[] {2, 3}, Autodiff.vjp(f, x).value().shape());
    }
}
