package dev.jacflux.bench;

import dev.jacflux.autodiff.Tensor;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model of {@code full-jac} and {@code hessian}: {@code f(x) = W2 tanh(W1 x + b1) + b2} with
 * {@code x [n, 1]} (n = 1000, hidden 512, output 1000 at full size), seeded weights
 * {@code N(0, 1/fan_in)}, biases {@code N(0, 0.01)}, input {@code N(0, 1)}.
 *
 * <pre>{@code
 * TwoLayerModel m = TwoLayerModel.of(Size.FULL);
 * INDArray jac = FullJacobian.of(m.f()).compute(m.x());            // [1000, 1, 1000, 1]
 * INDArray hes = Hessian.of(m.logSumExp()).compute(m.x());         // [1000, 1, 1000, 1]
 * }</pre>
 *
 * @param x the input {@code [n, 1]}
 * @param w1 {@code [H, n]}
 * @param b1 {@code [H, 1]}
 * @param w2 {@code [m, H]}
 * @param b2 {@code [m, 1]}
 */
public record TwoLayerModel(INDArray x, INDArray w1, INDArray b1, INDArray w2, INDArray b2) {

    /** The seeded model of the given size (n = m = 1000, H = 512 at full size; 7, 5, 6 tiny). */
    public static TwoLayerModel of(Size size) {
        long n = size == Size.FULL ? 1000 : 7;
        long h = size == Size.FULL ? 512 : 5;
        long m = size == Size.FULL ? 1000 : 6;
        return new TwoLayerModel(SeededData.gaussian(21, 1.0, n, 1), SeededData.gaussian(22, 1 / Math.sqrt(n), h, n),
                SeededData.gaussian(23, 0.1, h, 1), SeededData.gaussian(24, 1 / Math.sqrt(h), m, h), SeededData.gaussian(25, 0.1, m, 1));
    }

    /** The same model in another dtype (for float64 checks). */
    public TwoLayerModel as(org.nd4j.linalg.api.buffer.DataType dtype) {
        return new TwoLayerModel(SeededData.as(x, dtype), SeededData.as(w1, dtype), SeededData.as(b1, dtype), SeededData.as(w2, dtype),
                SeededData.as(b2, dtype));
    }

    /** {@code f(x) = W2 tanh(W1 x + b1) + b2}, {@code [m, 1]}. */
    public Function<Tensor, Tensor> f() {
        Tensor tw1 = Tensor.constant(w1);
        Tensor tb1 = Tensor.constant(b1);
        Tensor tw2 = Tensor.constant(w2);
        Tensor tb2 = Tensor.constant(b2);
        return v -> tw2.matmul(tw1.matmul(v).add(tb1).tanh()).add(tb2);
    }

    /** {@code s(x) = logsumexp(f(x))}, a scalar. */
    public Function<Tensor, Tensor> logSumExp() {
        Function<Tensor, Tensor> f = f();
        return v -> f.apply(v).exp().sum().log();
    }
}
