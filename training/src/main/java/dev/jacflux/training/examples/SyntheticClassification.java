package dev.jacflux.training.examples;

import dev.jacflux.training.Dataset;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A seeded synthetic classification task for examples and tests: {@code features}-dimensional
 * standard normal inputs, labels {@code argmax(x W)} of a random linear teacher {@code W}, with a
 * fraction of labels replaced by uniformly random classes. A linear model can reach about
 * {@code 1 - noise * (classes - 1) / classes} accuracy.
 *
 * <pre>{@code
 * SyntheticClassification task = new SyntheticClassification(20, 4, 0.05, 7L);
 * Dataset train = task.sample(2000, 1L);
 * Dataset test = task.sample(1000, 2L);     // same teacher, other examples
 * }</pre>
 *
 * @param features input dimension
 * @param classes number of classes
 * @param labelNoise fraction of labels replaced by random ones
 * @param teacherSeed seed of the teacher weights
 */
public record SyntheticClassification(int features, int classes, double labelNoise, long teacherSeed) {

    /** {@code n} examples ({@code x} float64 {@code [n, features]}, {@code y} int64 {@code [n]}) drawn with {@code seed}. */
    public Dataset sample(int n, long seed) {
        Random t = new Random(teacherSeed);
        double[][] w = new double[features][classes];
        for (double[] row : w) {
            for (int c = 0; c < classes; c++) {
                row[c] = t.nextGaussian();
            }
        }
        Random r = new Random(seed);
        double[] x = new double[n * features];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int f = 0; f < features; f++) {
                x[i * features + f] = r.nextGaussian();
            }
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (int f = 0; f < features; f++) {
                    s += x[i * features + f] * w[f][c];
                }
                if (s > best) {
                    best = s;
                    y[i] = c;
                }
            }
            if (r.nextDouble() < labelNoise) {
                y[i] = r.nextInt(classes);
            }
        }
        INDArray xs = Nd4j.create(x, new long[] {n, features}, DataType.DOUBLE);
        return Dataset.of(xs, Nd4j.createFromArray(y));
    }

    /** The fraction of {@code data} whose argmax of {@code scores} (the model's outputs {@code [n, classes]}) is the label. */
    public static double accuracy(INDArray scores, INDArray labels) {
        long[] predicted = Nd4j.argMax(scores, 1).toLongVector();
        long[] y = labels.toLongVector();
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            right += predicted[i] == y[i] ? 1 : 0;
        }
        return (double) right / y.length;
    }
}
