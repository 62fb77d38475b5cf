package dev.jacflux.examples;

import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingOptions;
import dev.jacflux.training.examples.SyntheticClassification;
import dev.jacflux.training.metrics.TrainingMetrics;
import dev.jacflux.training.privacy.RdpAccountant;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/** The README's private-training example, kept compiling and running by {@code PrivateTrainingExampleTest}. */
public final class PrivateTrainingExample {
    private PrivateTrainingExample() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("dp-run");
        SyntheticClassification task = new SyntheticClassification(20, 4, 0.05, 7L);   // seeded 4-class data
        Dataset train = task.sample(1000, 1L);                                          // x [1000, 20], y [1000]
        Model model = Model.initialize(Sequential.of(new long[] {20},
                Linear.of("fc1", 20, 32), new Tanh(), Linear.of("fc2", 32, 4)), DataType.FLOAT, 3L);

        TrainingOptions options = TrainingOptions.privateTraining(Loss.crossEntropy())  // Poisson sampling, secure noise
                .withTargetEpsilon(2.0).withDelta(1e-5)       // sigma calibrated so that the 5 epochs end at epsilon 2
                .withEpochs(5).withBatchSize(50)              // q = 50 / 1000, 100 steps
                .withClipNorm(1.0).withLearningRate(1.0)
                .withCheckpoints(dir, 50);                    // dir/checkpoints/step-00000050, ...
        TrainingMetrics metrics = new TrainingMetrics("readme");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);                             // or Spring Boot's registry

        Trainer trainer = Trainer.create(model, train, options).withListener(metrics.listener());
        System.out.printf("noise multiplier %.4f (calibrated)%n", trainer.plan().noiseMultiplier());
        trainer.steps()                                       // a Flux<StepResult>: one element per step
                .filter(r -> r.step() % 25 == 0)
                .doOnNext(r -> System.out.printf("step %3d  batch %2d  loss %.3f  epsilon %.3f  %s%n",
                        r.step(), r.batchSize(), r.loss(), r.epsilon(), r.privacy()))
                .blockLast();
        double accuracy = SyntheticClassification.accuracy(trainer.model().forward(task.sample(1000, 2L).x()),
                task.sample(1000, 2L).y());
        System.out.printf("stopped: %s after %d steps, held-out accuracy %.3f%n", trainer.stopReason(), trainer.step(), accuracy);
        System.out.printf("meters: %.0f steps, epsilon gauge %.3f%n", registry.get("jacflux.training.steps").functionCounter().count(),
                registry.get("jacflux.training.epsilon").gauge().value());

        // later (or after a crash): continue from the latest checkpoint; the spent privacy carries over
        Trainer more = Trainer.resume(train, options.withEpochs(6));
        System.out.printf("resumed at step %d with epsilon %.3f; ", more.step(), more.epsilon());
        more.steps().blockLast();
        System.out.printf("stopped: %s at step %d%n", more.stopReason(), more.step());   // the budget is spent: no step

        System.out.printf("accountant alone: epsilon %.4f%n", RdpAccountant.epsilon(1.1, 256 / 60000.0, 14063, 1e-5));
    }
}
