package dev.jacflux.training;

import static dev.jacflux.training.TrainingFixtures.assertSameParameters;
import static dev.jacflux.training.TrainingFixtures.data;
import static dev.jacflux.training.TrainingFixtures.mlp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.training.metrics.TrainingMeter;
import dev.jacflux.training.metrics.TrainingMetrics;
import dev.jacflux.training.privacy.NoiseCalibration;
import dev.jacflux.training.privacy.RdpAccountant;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import reactor.test.StepVerifier;

/** The trainer as a Flux: demand, cancellation, stop conditions, resume, meters. */
class TrainerStreamTest {
    private static final Loss CE = Loss.crossEntropy();

    @TempDir
    Path dir;

    private static TrainingOptions dp() {
        return TrainingOptions.privateTraining(CE).withNoiseMultiplier(1.0).withBatchSize(10).withLearningRate(0.3).withSeed(17L);
    }

    @Test
    void aStepRunsOnlyWhenRequestedAndCancellingStops() {
        Trainer t = Trainer.create(mlp(DataType.FLOAT, 1), data(100, 1), dp().withSteps(50));
        StepVerifier.create(t.steps(), 0)
                .thenRequest(2)
                .expectNextCount(2)
                .then(() -> assertEquals(2, t.step(), "no step runs without demand"))
                .thenRequest(1)
                .expectNextMatches(r -> r.step() == 3)
                .thenCancel()
                .verify();
        assertEquals(3, t.step());
        assertEquals(StopReason.CANCELLED, t.stopReason());
        StepVerifier.create(t.steps()).expectError(TrainingException.class).verify();
    }

    @Test
    void stopsAtTheStepLimit() {
        Trainer t = Trainer.create(mlp(DataType.FLOAT, 1), data(100, 1), dp().withSteps(4).withEpochs(10));
        List<StepResult> rs = t.steps().collectList().block();
        assertEquals(4, rs.size());
        assertEquals(List.of(1L, 2L, 3L, 4L), rs.stream().map(StepResult::step).toList());
        assertEquals(StopReason.STEPS, t.stopReason());
    }

    @Test
    void stopsAtTheEpochLimitWhicheverComesFirst() {
        // q = 10/100: 0.35 epochs = ceil(3.5) = 4 steps, before the 50-step limit
        Trainer t = Trainer.create(mlp(DataType.FLOAT, 1), data(100, 1), dp().withSteps(50).withEpochs(0.35));
        assertEquals(4, t.steps().count().block());
        assertEquals(StopReason.EPOCHS, t.stopReason());
        assertEquals(0.4, t.plan().sampler().epochs(t.step()), 1e-12);
    }

    /** The training stops before the step that would take epsilon beyond the target. */
    @Test
    void stopsBeforeExceedingTheTargetEpsilon() {
        double q = 0.1;
        double target = 4.0;   // one step at q 0.1, sigma 1 costs 2.13 already; 20 steps cost 4.22
        TrainingOptions o = dp().withTargetEpsilon(target).withNoiseMultiplier(1.0).withSteps(1000);
        Trainer t = Trainer.create(mlp(DataType.FLOAT, 1), data(100, 1), o);
        StepResult last = t.steps().blockLast();
        long steps = t.step();
        assertEquals(StopReason.TARGET_EPSILON, t.stopReason());
        assertTrue(RdpAccountant.epsilon(1.0, q, steps, 1e-5) <= target);
        assertTrue(RdpAccountant.epsilon(1.0, q, steps + 1, 1e-5) > target);
        assertEquals(RdpAccountant.epsilon(1.0, q, steps, 1e-5), last.epsilon(), 1e-12);
        // a budget below the cost of one step: no step at all
        Trainer none = Trainer.create(mlp(DataType.FLOAT, 1), data(100, 1), o.withTargetEpsilon(2.0).withNoiseMultiplier(1.0));
        assertEquals(0, none.steps().count().block());
        assertEquals(StopReason.TARGET_EPSILON, none.stopReason());
    }

    /** With a target epsilon and no noise multiplier, sigma is calibrated so that the planned steps end within 1e-3 of the target. */
    @Test
    void calibratesTheNoiseForTheTargetOverThePlannedSteps() {
        TrainingOptions o = dp().withTargetEpsilon(3.0).withSteps(30);
        Trainer t = Trainer.create(mlp(DataType.FLOAT, 1), data(100, 1), o);
        assertTrue(t.plan().calibrated());
        assertEquals(NoiseCalibration.noiseMultiplier(3.0, 0.1, 30, 1e-5), t.plan().noiseMultiplier(), 0);
        StepResult last = t.steps().blockLast();
        assertEquals(30, last.step());
        assertTrue(last.epsilon() <= 3.0 && last.epsilon() >= 3.0 - 1e-3, "epsilon " + last.epsilon());
    }

    /**
     * An interrupted run resumed from its checkpoint ends exactly where an uninterrupted run ends: the
     * same weights, bit for bit, and the same steps, losses and epsilons after the checkpoint
     * (seeded sampling and noise; momentum, so the optimizer state matters).
     */
    @Test
    void resumeAfterAnInterruptionEqualsAnUninterruptedRun() {
        Model m0 = mlp(DataType.FLOAT, 2);
        Dataset d = data(120, 3);
        TrainingOptions o = dp().withMomentum(0.5).withSteps(23);
        Trainer whole = Trainer.create(m0, d, o.withCheckpoints(dir.resolve("whole"), 5));
        List<StepResult> all = whole.steps().collectList().block();

        TrainingOptions broken = o.withCheckpoints(dir.resolve("broken"), 5);
        Trainer first = Trainer.create(m0, d, broken);
        assertEquals(12, first.steps().take(12).count().block(), "interrupted after 12 steps; the last checkpoint is at 10");
        Trainer resumed = Trainer.resume(d, broken);
        assertEquals(10, resumed.step(), "resumes at the checkpoint");
        assertEquals(all.get(9).epsilon(), resumed.epsilon(), 0, "privacy spent is restored, not reset");
        List<StepResult> rest = resumed.steps().collectList().block();
        assertEquals(13, rest.size());
        for (int i = 0; i < rest.size(); i++) {
            StepResult a = all.get(10 + i);
            StepResult b = rest.get(i);
            assertEquals(a.step(), b.step());
            assertEquals(a.batchSize(), b.batchSize(), "batch of step " + a.step());
            assertEquals(a.loss(), b.loss(), 0, "loss of step " + a.step());
            assertArrayEquals(a.gradNormQuantiles(), b.gradNormQuantiles(), 0, "norms of step " + a.step());
            assertEquals(a.epsilon(), b.epsilon(), 0, "epsilon of step " + a.step());
        }
        assertSameParameters(whole.model(), resumed.model());
        assertEquals(whole.accountantHistory(), resumed.accountantHistory());
    }

    @Test
    void resumeRefusesChangedSettingsAndMissingCheckpoints() {
        Dataset d = data(60, 3);
        TrainingOptions o = dp().withSteps(5).withCheckpoints(dir.resolve("run"), 5);
        Trainer.create(mlp(DataType.FLOAT, 2), d, o).steps().blockLast();
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.resume(d, o.withBatchSize(20)));
        assertTrue(e.getMessage().contains("'batch_size' is 10 in the checkpoint but 20"), e.getMessage());
        e = assertThrows(TrainingException.class, () -> Trainer.resume(d, o.withSeed(18L)));
        assertTrue(e.getMessage().contains("'seed'"), e.getMessage());
        e = assertThrows(TrainingException.class, () -> Trainer.resume(d, o.withCheckpoints(dir.resolve("none"), 5)));
        assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
        // more steps, a new delta: allowed
        Trainer more = Trainer.resume(d, o.withSteps(8).withDelta(1e-6));
        assertEquals(3, more.steps().count().block());
    }

    @Test
    void metersCountStepsSamplesEpsilonAndPhases() {
        TrainingMetrics metrics = new TrainingMetrics("unit");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        SimpleMeterRegistry late = new SimpleMeterRegistry();
        Trainer t = Trainer.create(mlp(DataType.FLOAT, 1), data(100, 1), dp().withSteps(5)).withListener(metrics.listener());
        List<StepResult> rs = t.steps().collectList().block();
        long samples = rs.stream().mapToLong(StepResult::batchSize).sum();
        metrics.bindTo(late);
        assertEquals(5.0, late.get(TrainingMeter.STEPS.meterName()).functionCounter().count(), "a registry bound late sees the totals");
        assertEquals(5.0, registry.get(TrainingMeter.STEPS.meterName()).tag(TrainingMetrics.TRAINING, "unit").functionCounter().count());
        assertEquals(samples, registry.get(TrainingMeter.SAMPLES.meterName()).functionCounter().count(), 0);
        assertEquals(t.epsilon(), registry.get(TrainingMeter.EPSILON.meterName()).gauge().value(), 0);
        assertEquals(rs.get(4).loss(), registry.get(TrainingMeter.LOSS.meterName()).gauge().value(), 0);
        for (Phase p : List.of(Phase.SAMPLE, Phase.NOISE, Phase.UPDATE, Phase.ACCOUNT)) {
            assertEquals(5, registry.get(TrainingMeter.STEP_DURATION.meterName()).tag(TrainingMetrics.PHASE, p.tag()).timer().count(), p.tag());
        }
        assertTrue(registry.get(TrainingMeter.STEP_DURATION.meterName()).tag(TrainingMetrics.PHASE, "clip").timer().count() >= 4,
                "clip runs in every non-empty step");
    }

    @Test
    void rejectsOptionsThatCannotWork() {
        Model m = mlp(DataType.FLOAT, 1);
        Dataset d = data(50, 1);
        assertMessage("no stop condition", () -> Trainer.create(m, d, dp()));
        assertMessage("exceeds the 50 examples", () -> Trainer.create(m, d, dp().withSteps(1).withBatchSize(51)));
        assertMessage("needs Poisson sampling", () -> Trainer.create(m, d, dp().withTargetEpsilon(1).withSteps(3)
                .withSampling(TrainingOptions.Sampling.SHUFFLE)));
        assertMessage("needs the planned steps", () -> Trainer.create(m, d, dp().withTargetEpsilon(1)));
        assertMessage("does not match the model's input shape", () -> Trainer.create(m, Dataset.of(
                org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 5, 3), org.nd4j.linalg.factory.Nd4j.zeros(DataType.LONG, 5)), dp().withSteps(1)));
        assertMessage("momentum must lie in [0, 1)", () -> dp().withMomentum(1));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        TrainingException ex = assertThrows(TrainingException.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }
}
