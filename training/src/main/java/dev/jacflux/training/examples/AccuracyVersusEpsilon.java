package dev.jacflux.training.examples;

import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingOptions;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The accuracy-versus-epsilon line of docs/privacy.md: a 20-32-4 tanh MLP trained for 5 epochs on
 * {@link SyntheticClassification} (2000 training, 1000 held-out examples, 5% label noise), with plain
 * SGD and with DP-SGD at two noise multipliers (Poisson sampling with L = 100, C = 1, lr = 1,
 * delta = 1e-5). Each DP setting is run once with a seed (a reproducible figure, not private) and
 * three times with secure noise (the mean and spread of what a private run gets).
 *
 * <pre>{@code
 * OMP_NUM_THREADS=1 java -cp <classpath> dev.jacflux.training.examples.AccuracyVersusEpsilon
 * }</pre>
 */
public final class AccuracyVersusEpsilon {
    private AccuracyVersusEpsilon() {
    }

    /** Prints the table. */
    public static void main(String[] args) {
        SyntheticClassification task = new SyntheticClassification(20, 4, 0.05, 7L);
        Dataset train = task.sample(2000, 1L);
        Dataset test = task.sample(1000, 2L);
        TrainingOptions base = TrainingOptions.privateTraining(Loss.crossEntropy()).withBatchSize(100).withEpochs(5).withLearningRate(1.0)
                .withClipNorm(1.0).withDelta(1e-5);
        System.out.println("| training | noise multiplier | epsilon (delta 1e-5) | held-out accuracy, seeded run | secure runs (mean of 3, min-max) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        double plain = accuracy(train, test, base.withPrivateTraining(false).withSeed(11L));
        System.out.printf(Locale.ROOT, "| plain SGD | - | - (not private) | %.3f | - |%n", plain);
        for (double sigma : new double[] {1.0, 2.0}) {
            TrainingOptions o = base.withNoiseMultiplier(sigma);
            Trainer seeded = run(train, o.withSeed(11L));
            double acc = SyntheticClassification.accuracy(seeded.model().forward(test.x()), test.y());
            double sum = 0;
            double lo = 1;
            double hi = 0;
            for (int r = 0; r < 3; r++) {
                double a = accuracy(train, test, o);
                sum += a;
                lo = Math.min(lo, a);
                hi = Math.max(hi, a);
            }
            System.out.printf(Locale.ROOT, "| DP-SGD | %.1f | %.2f | %.3f | %.3f (%.3f-%.3f) |%n", sigma, seeded.epsilon(), acc, sum / 3, lo, hi);
        }
    }

    private static Model model() {
        return Model.initialize(Sequential.of(new long[] {20}, Linear.of("fc1", 20, 32), new Tanh(), Linear.of("fc2", 32, 4)), DataType.FLOAT, 3L);
    }

    private static Trainer run(Dataset train, TrainingOptions o) {
        Trainer t = Trainer.create(model(), train, o);
        t.steps().blockLast();
        return t;
    }

    private static double accuracy(Dataset train, Dataset test, TrainingOptions o) {
        return SyntheticClassification.accuracy(run(train, o).model().forward(test.x()), test.y());
    }
}
