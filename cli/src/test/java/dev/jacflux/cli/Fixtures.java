package dev.jacflux.cli;

import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Small seeded models and inputs for the command tests, and finite-difference references. */
final class Fixtures {
    private Fixtures() {
    }

    /** {@code [3] -> 4 tanh -> [outputs]}, float64. */
    static Model mlp(int outputs, long seed) {
        return Model.initialize(Sequential.of(new long[] {3}, Linear.of("fc1", 3, 4), new Tanh(), Linear.of("fc2", 4, outputs)),
                DataType.DOUBLE, seed);
    }

    /**
     * An image model {@code [1, 4, 4] -> flatten -> 5 tanh -> [3]}, float64 (the model layers do
     * not run conv2d yet on this branch, so image inputs go through a flatten).
     */
    static Model image(long seed) {
        return Model.initialize(Sequential.of(new long[] {1, 4, 4}, new Flatten(), Linear.of("fc1", 16, 5), new Tanh(),
                Linear.of("fc2", 5, 3)), DataType.DOUBLE, seed);
    }

    /** A seeded normal array of the given shape (float64). */
    static INDArray normal(long seed, long... shape) {
        Random rnd = new Random(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }

    /**
     * The batch Jacobian {@code [B, D_y, D_x]} (flattened) by central differences of the model's
     * plain forward pass, perturbing one input element of one sample at a time.
     */
    static INDArray finiteDifferenceBatchJacobian(Model m, INDArray x, double h) {
        long b = x.size(0);
        long dx = x.length() / b;
        INDArray y0 = m.forward(x);
        long dy = y0.length() / b;
        INDArray j = Nd4j.zeros(DataType.DOUBLE, b, dy, dx);
        for (long s = 0; s < b; s++) {
            for (long i = 0; i < dx; i++) {
                INDArray plus = x.dup('c');
                INDArray minus = x.dup('c');
                long flat = s * dx + i;
                plus.reshape('c', new long[] {x.length()}).putScalar(flat, x.reshape('c', new long[] {x.length()}).getDouble(flat) + h);
                minus.reshape('c', new long[] {x.length()}).putScalar(flat, x.reshape('c', new long[] {x.length()}).getDouble(flat) - h);
                INDArray d = m.forward(plus).sub(m.forward(minus)).divi(2 * h).reshape('c', b, dy);
                j.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.point(i)).assign(d.getRow(s));
            }
        }
        return j;
    }
}
