package dev.jacflux.examples;

import dev.jacflux.model.DpSgd;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.Sgd;
import dev.jacflux.model.TrainingStep;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Trains a small MLP with DP-SGD on seeded synthetic data and prints the loss falling, then times
 * one DP-SGD step against one plain SGD step on the {@code mlp-grads} model (784-256-128-10 tanh,
 * N = 256, float32) in the same run.
 *
 * <p>The DP-SGD step draws its noise on a second thread while the forward and backward passes
 * run; on a machine under load from other processes, {@code OMP_NUM_THREADS=1} gives the most
 * stable figures.
 *
 * <pre>{@code
 * mvn -B -q -pl examples -am package -DskipTests
 * OMP_NUM_THREADS=1 java -Xmx3g -cp "examples/target/jacflux-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*" dev.jacflux.examples.DpSgdExample [steps]
 * }</pre>
 */
public final class DpSgdExample {
    private DpSgdExample() {
    }

    /** Runs the example; the optional argument is the number of training steps (default 300). */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        train(steps);
        timeSteps();
    }

    /** Seeded synthetic classification: 4 classes from a random linear teacher on 20 features, plus label noise. */
    private static void train(int steps) {
        int samples = 2048;
        int features = 20;
        int classes = 4;
        Random rnd = new Random(7);
        double[] xs = new double[samples * features];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = rnd.nextGaussian();
        }
        INDArray x = Nd4j.create(xs, new long[] {samples, features}, DataType.FLOAT);
        INDArray teacher = Nd4j.create(gaussians(rnd, features * classes), new long[] {features, classes}, DataType.FLOAT);
        long[] labels = Nd4j.argMax(x.mmul(teacher), 1).toLongVector();
        for (int i = 0; i < samples; i++) {
            if (rnd.nextDouble() < 0.05) {
                labels[i] = rnd.nextInt(classes);
            }
        }
        INDArray y = Nd4j.createFromArray(labels);

        Sequential mlp = Sequential.of(new long[] {features}, Linear.of("fc1", features, 64), new Tanh(), Linear.of("fc2", 64, classes));
        Model model = Model.initialize(mlp, DataType.FLOAT, 1L);
        int batch = 128;
        DpSgd dp = DpSgd.of(0.5, 1.0, 1.0, Loss.crossEntropy());   // lr, clip norm C, noise multiplier sigma
        System.out.printf("DP-SGD on a %d-64-%d tanh MLP, %d synthetic samples, batch %d, C = %.1f, sigma = %.1f%n",
                features, classes, samples, batch, dp.clipNorm(), dp.noiseMultiplier());
        System.out.printf("%6s  %10s  %10s  %9s%n", "step", "batch loss", "full loss", "clipped");
        for (int step = 0; step < steps; step++) {
            int start = (step * batch) % samples;
            INDArray xb = x.get(NDArrayIndex.interval(start, start + batch), NDArrayIndex.all());
            INDArray yb = y.get(NDArrayIndex.interval(start, start + batch));
            TrainingStep s = dp.step(model, xb, yb, 10_000L + step);
            model = s.model();
            if (step % 25 == 0 || step == steps - 1) {
                System.out.printf("%6d  %10.4f  %10.4f  %8.0f%%%n", step, s.stats().meanLoss(), fullLoss(model, x, y),
                        100 * s.stats().clippedFraction());
            }
        }
        INDArray predicted = Nd4j.argMax(model.forward(x), 1);
        double accuracy = predicted.castTo(DataType.LONG).eq(y).castTo(DataType.FLOAT).meanNumber().doubleValue();
        System.out.printf("training accuracy after %d steps: %.1f%%%n%n", steps, 100 * accuracy);
    }

    private static double fullLoss(Model model, INDArray x, INDArray y) {
        INDArray logits = model.forward(x);
        return Loss.crossEntropy().apply(dev.jacflux.autodiff.Tensor.constant(logits), y).value().meanNumber().doubleValue();
    }

    private static double[] gaussians(Random rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    /** Median wall times of a plain step and DP-SGD steps on the mlp-grads model, measured in this run. */
    private static void timeSteps() {
        int n = 256;
        Sequential mlp = Sequential.of(new long[] {784}, Linear.of("fc1", 784, 256), new Tanh(), Linear.of("fc2", 256, 128), new Tanh(),
                Linear.of("fc3", 128, 10));
        Model model = Model.initialize(mlp, DataType.FLOAT, 2L);
        Random rnd = new Random(3);
        INDArray x = Nd4j.create(gaussians(rnd, n * 784), new long[] {n, 784}, DataType.FLOAT);
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = rnd.nextInt(10);
        }
        INDArray y = Nd4j.createFromArray(l);
        Sgd sgd = new Sgd(0.01, Loss.crossEntropy());
        DpSgd dp = DpSgd.of(0.01, 1.0, 1.0, Loss.crossEntropy());
        DpSgd dpMatrix = dp.withMethod(DpSgd.Method.PER_SAMPLE_MATRIX);
        int reps = 30;
        double[] plain = new double[reps];
        double[] ghost = new double[reps];
        double[] matrix = new double[reps / 5];
        for (int r = -5; r < reps; r++) {   // 5 warm-up rounds, interleaved so that machine noise hits both alike
            long t0 = System.nanoTime();
            sgd.step(model, x, y);
            long t1 = System.nanoTime();
            dp.step(model, x, y, r);
            long t2 = System.nanoTime();
            if (r >= 0) {
                plain[r] = (t1 - t0) / 1e6;
                ghost[r] = (t2 - t1) / 1e6;
            }
            if (r >= 0 && r % 5 == 0) {   // the per-sample matrix route is slow: a fifth of the rounds
                long t3 = System.nanoTime();
                dpMatrix.step(model, x, y, r);
                matrix[r / 5] = (System.nanoTime() - t3) / 1e6;
            }
        }
        double p = median(plain);
        double g = median(ghost);
        double m = median(matrix);
        System.out.printf("step time on the mlp-grads model (784-256-128-10 tanh, N = %d, M = %d, float32), medians, OMP_NUM_THREADS=%s:%n",
                n, model.parameterCount(), System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"));
        System.out.printf("  plain SGD step                         %7.1f ms%n", p);
        System.out.printf("  DP-SGD step, ghost clipping            %7.1f ms  (%.2fx the plain step)%n", g, g / p);
        System.out.printf("  DP-SGD step, per-sample N x M matrix   %7.1f ms  (%.2fx the plain step)%n", m, m / p);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
