package dev.jacflux.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.training.examples.SyntheticClassification;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Seeded models and data for the training tests. */
final class TrainingFixtures {
    static final SyntheticClassification TASK = new SyntheticClassification(20, 4, 0.05, 7L);

    private TrainingFixtures() {
    }

    /** A 20-32-4 tanh MLP with seeded weights. */
    static Model mlp(DataType dtype, long seed) {
        return Model.initialize(Sequential.of(new long[] {20}, Linear.of("fc1", 20, 32), new Tanh(), Linear.of("fc2", 32, 4)), dtype, seed);
    }

    /** {@code n} seeded training examples of {@link #TASK}. */
    static Dataset data(int n, long seed) {
        return TASK.sample(n, seed);
    }

    /** The largest absolute difference between the parameters of two models. */
    static double maxDiff(Model a, Model b) {
        double m = 0;
        List<INDArray> pa = a.parameters();
        List<INDArray> pb = b.parameters();
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) {
            assertArrayEquals(pa.get(i).shape(), pb.get(i).shape());
            m = Math.max(m, pa.get(i).castTo(DataType.DOUBLE).sub(pb.get(i).castTo(DataType.DOUBLE)).amaxNumber().doubleValue());
        }
        return m;
    }

    /** Bitwise equality of all parameters. */
    static void assertSameParameters(Model a, Model b) {
        for (int i = 0; i < a.parameters().size(); i++) {
            double[] x = a.parameters().get(i).castTo(DataType.DOUBLE).ravel().toDoubleVector();
            double[] y = b.parameters().get(i).castTo(DataType.DOUBLE).ravel().toDoubleVector();
            assertEquals(true, Arrays.equals(x, y), "parameter " + a.layout().names().get(i) + " differs");
        }
    }
}
