package dev.jacflux.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.engine.TangentSweep;
import dev.jacflux.autodiff.specs.ConvOpSpecs;
import dev.jacflux.autodiff.specs.CoreOpSpecs;
import dev.jacflux.autodiff.specs.LossOpSpecs;
import dev.jacflux.autodiff.specs.NnOpSpecs;
import dev.jacflux.autodiff.specs.ShapeOpSpecs;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.FiniteDifferences;
import dev.jacflux.autodiff.testing.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The op-spec table test: for every row, the VJP (with one and two leading basis axes, and with a
 * cotangent that is constant along an axis), the JVP, the identity {@code <v, J u> = <J^T v, u>}
 * and the derivative of the VJP itself (second order) against central finite differences in
 * float64.
 */
class OpGradientTest {
    private static final int K = 3;

    static Stream<OpSpec> specs() {
        return Stream.of(CoreOpSpecs.specs(), ShapeOpSpecs.specs(), LossOpSpecs.specs(), ConvOpSpecs.specs(), NnOpSpecs.specs()).flatMap(List::stream);
    }

    private static List<INDArray> inputs(OpSpec spec, long seed) {
        Random rnd = new Random(seed);
        List<INDArray> xs = new ArrayList<>();
        for (int i = 0; i < spec.shapes().size(); i++) {
            xs.add(spec.gens().get(i).sample(rnd, spec.shapes().get(i)));
        }
        return xs;
    }

    private static long seedOf(OpSpec spec) {
        return spec.name().hashCode() * 31L + 7;
    }

    private static List<Tensor> variables(List<INDArray> xs) {
        List<Tensor> vs = new ArrayList<>();
        for (INDArray x : xs) {
            vs.add(Tensor.variable(x));
        }
        return vs;
    }

    private static INDArray randomArray(Random rnd, long... shape) {
        return dev.jacflux.autodiff.testing.Gen.normal().sample(rnd, shape);
    }

    private static INDArray expand(INDArray a, long[] shape) {
        return java.util.Arrays.equals(a.shape(), shape) ? a : a.broadcast(shape).dup('c');
    }

    /** Reference: contract a cotangent block [lead..., *out] with J [m, n] into [lead..., *in]. */
    private static INDArray vjpReference(INDArray v, long[] leadShape, INDArray jac, long[] inShape) {
        long rows = Shapes.numel(leadShape);
        INDArray v2 = v.dup('c').reshape(rows, jac.rows());
        return v2.mmul(jac).reshape(Shapes.concat(leadShape, inShape));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void vjpMatchesFiniteDifferences(OpSpec spec) {
        List<INDArray> xs = inputs(spec, seedOf(spec));
        INDArray y = FiniteDifferences.eval(spec.fn(), xs);
        long[] outShape = y.shape();
        Random rnd = new Random(seedOf(spec) + 1);
        List<long[]> leads = List.of(new long[] {K}, new long[] {2, 2});
        for (long[] leadShape : leads) {
            INDArray v = randomArray(rnd, Shapes.concat(leadShape, outShape));
            checkVjp(spec, xs, v, leadShape, "lead " + Shapes.str(leadShape));
        }
        if (outShape.length >= 1 && outShape[0] > 1) {
            long[] constShape = Shapes.concat(new long[] {K}, outShape);
            constShape[1] = 1;
            INDArray v = randomArray(rnd, constShape);
            checkVjp(spec, xs, v, new long[] {K}, "cotangent constant along axis 0");
        }
        if (outShape.length >= 1 && outShape[outShape.length - 1] > 1) {
            long[] constShape = Shapes.concat(new long[] {K}, outShape);
            constShape[constShape.length - 1] = 1;
            INDArray v = randomArray(rnd, constShape);
            checkVjp(spec, xs, v, new long[] {K}, "cotangent constant along the last axis");
        }
    }

    private void checkVjp(OpSpec spec, List<INDArray> xs, INDArray v, long[] leadShape, String what) {
        List<Tensor> vars = variables(xs);
        Tensor out = spec.fn().apply(vars);
        List<Tensor> grads = Backprop.pullback(List.of(out), List.of(Tensor.constant(v)), vars, Backprop.Options.DEFAULT);
        INDArray vFull = expand(v, Shapes.concat(leadShape, out.shape()));
        for (int i = 0; i < xs.size(); i++) {
            INDArray jac = FiniteDifferences.jacobian(spec.fn(), xs, i);
            INDArray expected = vjpReference(vFull, leadShape, jac, xs.get(i).shape());
            Tensor gi = grads.get(i);
            INDArray actual = gi == null ? Nd4j.zeros(DataType.DOUBLE, expected.shape()) : expand(gi.value(), expected.shape());
            Close.assertFd(spec.name() + " vjp input " + i + " (" + what + ")", expected, actual);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void jvpMatchesFiniteDifferencesAndAdjointIdentity(OpSpec spec) {
        List<INDArray> xs = inputs(spec, seedOf(spec));
        INDArray y = FiniteDifferences.eval(spec.fn(), xs);
        Random rnd = new Random(seedOf(spec) + 2);
        List<INDArray> us = new ArrayList<>();
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, K, y.length());
        for (int i = 0; i < xs.size(); i++) {
            INDArray u = randomArray(rnd, Shapes.concat(new long[] {K}, xs.get(i).shape()));
            us.add(u);
            INDArray jac = FiniteDifferences.jacobian(spec.fn(), xs, i);
            expected.addi(u.dup('c').reshape(K, jac.columns()).mmul(jac.transpose()));
        }
        List<Tensor> vars = variables(xs);
        Tensor out = spec.fn().apply(vars);
        List<Tensor> tans = us.stream().map(Tensor::constant).toList();
        Tensor ty = TangentSweep.pushforward(List.of(out), vars, tans, false).get(0);
        long[] tShape = Shapes.concat(new long[] {K}, out.shape());
        INDArray actual = ty == null ? Nd4j.zeros(DataType.DOUBLE, tShape) : expand(ty.value(), tShape);
        Close.assertFd(spec.name() + " jvp", expected.reshape(tShape), actual);

        // <v, J u> = <J^T v, u>, both sides from the engine
        INDArray v = randomArray(rnd, tShape);
        List<Tensor> grads = Backprop.pullback(List.of(out), List.of(Tensor.constant(v)), vars, Backprop.Options.DEFAULT);
        double lhs = v.mul(actual).sumNumber().doubleValue();
        double rhs = 0;
        for (int i = 0; i < xs.size(); i++) {
            if (grads.get(i) != null) {
                rhs += expand(grads.get(i).value(), us.get(i).shape()).mul(us.get(i)).sumNumber().doubleValue();
            }
        }
        assertEquals(lhs, rhs, 1e-9 * (1 + Math.abs(lhs)), spec.name() + ": <v, Ju> vs <J^T v, u>");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void vjpIsItselfDifferentiable(OpSpec spec) {
        assumeTrue(spec.secondOrder(), spec.name() + ": second order not checked (piecewise linear)");
        List<INDArray> xs = inputs(spec, seedOf(spec));
        INDArray y = FiniteDifferences.eval(spec.fn(), xs);
        Random rnd = new Random(seedOf(spec) + 3);
        INDArray v = randomArray(rnd, Shapes.concat(new long[] {1}, y.shape()));
        List<INDArray> ws = new ArrayList<>();
        for (INDArray x : xs) {
            ws.add(randomArray(rnd, Shapes.concat(new long[] {1}, x.shape())));
        }
        // h(x) = sum_i <w_i, J_i(x)^T v>
        for (int j = 0; j < xs.size(); j++) {
            final int jj = j;
            INDArray fd = FiniteDifferences.gradient(xj -> {
                List<INDArray> moved = new ArrayList<>(xs);
                moved.set(jj, xj);
                return h(spec, moved, v, ws, false).value().getDouble(0);
            }, xs.get(j));
            List<Tensor> vars = variables(xs);
            Tensor hv = hOf(spec, vars, v, ws);
            INDArray actual;
            if (hv.isTracked()) {
                Tensor g = Backprop.pullback(List.of(hv), List.of(hv.scalarLike(1.0)), List.of(vars.get(j)), Backprop.Options.DEFAULT).get(0);
                actual = g == null ? Nd4j.zeros(DataType.DOUBLE, xs.get(j).shape()) : expand(g.value(), xs.get(j).shape());
            } else {
                actual = Nd4j.zeros(DataType.DOUBLE, xs.get(j).shape());
            }
            Close.assertClose(spec.name() + " second order, input " + j, fd, actual, 1e-5, 1e-4);
        }
    }

    private static Tensor h(OpSpec spec, List<INDArray> xs, INDArray v, List<INDArray> ws, boolean record) {
        return hOf(spec, variables(xs), v, ws);
    }

    private static Tensor hOf(OpSpec spec, List<Tensor> vars, INDArray v, List<INDArray> ws) {
        Tensor out = spec.fn().apply(vars);
        List<Tensor> grads = Backprop.pullback(List.of(out), List.of(Tensor.constant(v)), vars, Backprop.Options.secondOrder());
        Tensor total = Tensor.scalar(0.0, DataType.DOUBLE);
        for (int i = 0; i < vars.size(); i++) {
            Tensor gi = grads.get(i);
            if (gi != null) {   // null: no dependence on input i, a zero term (the first-order test checks that against FD)
                total = total.add(gi.mul(Tensor.constant(ws.get(i))).sum());
            }
        }
        return total;
    }
}
