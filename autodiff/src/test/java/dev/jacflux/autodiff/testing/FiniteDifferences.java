package dev.jacflux.autodiff.testing;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Central finite differences in float64, the reference every derivative is checked against. */
public final class FiniteDifferences {
    public static final double EPS = 1e-6;

    private FiniteDifferences() {
    }

    /** Evaluates {@code fn} on constants (no graph) and returns a float64 copy of the value. */
    public static INDArray eval(Function<List<Tensor>, Tensor> fn, List<INDArray> xs) {
        try (GradMode.Scope ignored = GradMode.disable()) {
            List<Tensor> ts = new ArrayList<>();
            for (INDArray x : xs) {
                ts.add(Tensor.constant(x));
            }
            return fn.apply(ts).value().castTo(DataType.DOUBLE).dup('c');
        }
    }

    /**
     * The Jacobian of {@code fn} with respect to input {@code which}, as a matrix
     * {@code [numel(out), numel(input)]}.
     */
    public static INDArray jacobian(Function<List<Tensor>, Tensor> fn, List<INDArray> xs, int which) {
        INDArray x = xs.get(which);
        long n = x.length();
        long m = eval(fn, xs).length();
        INDArray jac = Nd4j.create(DataType.DOUBLE, m, n);
        for (long j = 0; j < n; j++) {
            INDArray plus = x.dup('c');
            INDArray minus = x.dup('c');
            plus.reshape(n).putScalar(j, x.reshape(n).getDouble(j) + EPS);
            minus.reshape(n).putScalar(j, x.reshape(n).getDouble(j) - EPS);
            List<INDArray> xp = new ArrayList<>(xs);
            List<INDArray> xm = new ArrayList<>(xs);
            xp.set(which, plus);
            xm.set(which, minus);
            INDArray d = eval(fn, xp).sub(eval(fn, xm)).divi(2 * EPS).reshape(m);
            jac.getColumn(j).assign(d);
        }
        return jac;
    }

    /** The gradient of a scalar-valued function of a single array. */
    public static INDArray gradient(Function<INDArray, Double> f, INDArray x) {
        long n = x.length();
        INDArray g = Nd4j.create(DataType.DOUBLE, x.shape());
        INDArray flatG = g.reshape(n);
        for (long j = 0; j < n; j++) {
            INDArray plus = x.dup('c');
            INDArray minus = x.dup('c');
            plus.reshape(n).putScalar(j, x.reshape(n).getDouble(j) + EPS);
            minus.reshape(n).putScalar(j, x.reshape(n).getDouble(j) - EPS);
            flatG.putScalar(j, (f.apply(plus) - f.apply(minus)) / (2 * EPS));
        }
        return g;
    }
}
