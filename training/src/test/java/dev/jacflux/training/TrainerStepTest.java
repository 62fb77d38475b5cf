package dev.jacflux.training;

import static dev.jacflux.training.TrainingFixtures.data;
import static dev.jacflux.training.TrainingFixtures.maxDiff;
import static dev.jacflux.training.TrainingFixtures.mlp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.DpSgd;
import dev.jacflux.model.GaussianNoise;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.NoiseSource;
import dev.jacflux.model.Sgd;
import dev.jacflux.training.examples.SyntheticClassification;
import dev.jacflux.training.sampling.PoissonSampler;
import dev.jacflux.training.sampling.ShuffledSampler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What a training step computes, in float64: ghost clipping against the explicit matrix and against a
 * plain loop of single-example backward passes; the noise; empty batches; the model's own DpSgd.
 */
class TrainerStepTest {
    private static final Loss CE = Loss.crossEntropy();

    private static Model train(Model m, Dataset d, TrainingOptions o) {
        Trainer t = Trainer.create(m, d, o);
        t.steps().blockLast();
        return t.model();
    }

    /** With noise off, ghost clipping, the N x M matrix and a loop of single backward passes give the same three steps. */
    @Test
    void ghostEqualsMatrixEqualsLoopWithNoiseOff() {
        Model m0 = mlp(DataType.DOUBLE, 1);
        Dataset d = data(60, 2);
        TrainingOptions o = TrainingOptions.privateTraining(CE).withNoiseMultiplier(0).withClipNorm(0.5).withBatchSize(12)
                .withLearningRate(0.3).withSteps(3).withSeed(5L);
        Model ghost = train(m0, d, o);
        Model matrix = train(m0, d, o.withMethod(DpSgd.Method.PER_SAMPLE_MATRIX));
        // reference: the same Poisson batches, one backward pass per example, clip, sum, divide by L, step
        PoissonSampler sampler = new PoissonSampler(60, 12 / 60.0, RandomStreams.seeded(5));
        Model ref = m0;
        int clippedSome = 0;
        for (int t = 0; t < 3; t++) {
            Dataset.Batch b = d.batch(sampler.batch(t));
            List<INDArray> sum = null;
            for (int i = 0; i < b.size(); i++) {
                INDArray xi = b.x().get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all());
                INDArray yi = b.y().get(NDArrayIndex.interval(i, i + 1));
                List<INDArray> g = new Sgd(1, CE).gradient(ref, xi, yi).parameters();
                double sq = 0;
                for (INDArray p : g) {
                    sq += p.mul(p).sumNumber().doubleValue();
                }
                double c = Math.min(1, 0.5 / Math.sqrt(sq));
                clippedSome += c < 1 ? 1 : 0;
                if (sum == null) {
                    sum = new ArrayList<>();
                    for (INDArray p : g) {
                        sum.add(p.mul(c));
                    }
                } else {
                    for (int k = 0; k < g.size(); k++) {
                        sum.get(k).addi(g.get(k).mul(c));
                    }
                }
            }
            List<INDArray> next = new ArrayList<>();
            for (int k = 0; k < ref.parameters().size(); k++) {
                next.add(ref.parameters().get(k).sub(sum.get(k).mul(0.3 / 12)));
            }
            ref = ref.withParameters(next);
        }
        assertTrue(clippedSome > 0, "the clip norm must bite for the test to mean something");
        assertEquals(0, maxDiff(ghost, matrix), 1e-12, "ghost vs matrix");
        assertEquals(0, maxDiff(ghost, ref), 1e-12, "ghost vs loop of single backward passes");
        assertTrue(maxDiff(ghost, m0) > 1e-3, "the steps moved the model");
    }

    /**
     * Each step's histogram bins the norms of a plain loop of single-example backward passes on the
     * same batch (before the step's update), over [0, max(max norm, C)]; its total is the batch size
     * and the bins above C hold the clipped examples.
     */
    @Test
    void histogramBinsTheNormsOfSingleBackwardPasses() {
        Model m0 = mlp(DataType.DOUBLE, 2);
        Dataset d = data(60, 3);
        double clip = 0.4;
        TrainingOptions o = TrainingOptions.privateTraining(CE).withNoiseMultiplier(0.8).withClipNorm(clip).withBatchSize(15)
                .withLearningRate(0.3).withSteps(4).withSeed(17L);
        Trainer t = Trainer.create(m0, d, o);
        PoissonSampler sampler = new PoissonSampler(60, 15 / 60.0, RandomStreams.seeded(17));
        Model[] before = {m0};
        int[] checked = {0};
        t.steps().doOnNext(r -> {
            Dataset.Batch b = d.batch(sampler.batch(r.step() - 1));
            double[] norms = new double[(int) b.size()];
            for (int i = 0; i < norms.length; i++) {
                INDArray xi = b.x().get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all());
                INDArray yi = b.y().get(NDArrayIndex.interval(i, i + 1));
                double sq = 0;
                for (INDArray p : new Sgd(1, CE).gradient(before[0], xi, yi).parameters()) {
                    sq += p.mul(p).sumNumber().doubleValue();
                }
                norms[i] = Math.sqrt(sq);
            }
            before[0] = t.model();
            GradNormHistogram h = r.gradNormHistogram();
            if (norms.length == 0) {
                assertEquals(null, h, "no histogram for an empty batch");
                return;
            }
            GradNormHistogram want = GradNormHistogram.of(norms, clip, GradNormHistogram.DEFAULT_BINS);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.edges(), h.edges(), 1e-12);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.counts(), h.counts());
            assertEquals(r.batchSize(), h.total());
            long above = 0;
            for (double v : norms) {
                above += v > clip ? 1 : 0;
            }
            assertEquals(above / (double) norms.length, r.clippedFraction(), 1e-15);
            checked[0]++;
        }).blockLast();
        assertTrue(checked[0] >= 3, "non-empty batches checked: " + checked[0]);
    }

    /**
     * One step of the trainer (shuffled batch of L examples) is the model module's
     * {@code DpSgd.step} on the same batch with the same seeded noise: both clip, add sigma C noise
     * and divide by L.
     */
    @Test
    void aStepIsDpSgdsStepOnTheSameBatchAndNoise() {
        Model m0 = mlp(DataType.DOUBLE, 3);
        Dataset d = data(96, 4);
        TrainingOptions o = TrainingOptions.privateTraining(CE).withNoiseMultiplier(1.3).withClipNorm(0.7).withBatchSize(32)
                .withLearningRate(0.2).withSteps(1).withSeed(9L).withSampling(TrainingOptions.Sampling.SHUFFLE);
        Model trained = train(m0, d, o);
        Dataset.Batch b = d.batch(new ShuffledSampler(96, 32, RandomStreams.seeded(9)).batch(0));
        long noiseSeed = RandomStreams.seeded(9).seed(RandomStreams.Stream.NOISE, 0);
        Model viaDpSgd = DpSgd.of(0.2, 0.7, 1.3, CE).step(m0, b.x(), b.y(), NoiseSource.seeded(noiseSeed)).model();
        assertEquals(0, maxDiff(trained, viaDpSgd), 1e-12);
    }

    /** The noise added is exactly -lr * GaussianNoise(seed of the step, sigma C) / L on top of the noise-free step. */
    @Test
    void noiseIsSigmaTimesClipNormOverTheExpectedBatchSize() {
        Model m0 = mlp(DataType.DOUBLE, 5);
        Dataset d = data(80, 6);
        double lr = 0.25;
        double sigma = 1.7;
        double c = 0.9;
        long l = 16;
        TrainingOptions o = TrainingOptions.privateTraining(CE).withClipNorm(c).withBatchSize(l).withLearningRate(lr).withSteps(1).withSeed(13L);
        Model noisy = train(m0, d, o.withNoiseMultiplier(sigma));
        Model clean = train(m0, d, o.withNoiseMultiplier(0));
        INDArray diff = noisy.parameterVector().sub(clean.parameterVector());
        INDArray z = GaussianNoise.sample(RandomStreams.seeded(13).seed(RandomStreams.Stream.NOISE, 0), m0.parameterCount(), sigma * c,
                DataType.DOUBLE);
        assertEquals(0, diff.sub(z.mul(-lr / l)).amaxNumber().doubleValue(), 1e-12);
        double sd = Math.sqrt(diff.mul(diff).meanNumber().doubleValue());
        assertEquals(lr * sigma * c / l, sd, 0.1 * lr * sigma * c / l, "std of the noise in the update");
    }

    /** Under Poisson sampling a batch can be empty: the step still adds noise, counts, and spends privacy. */
    @Test
    void emptyBatchesStillAddNoiseAndCount() {
        Model m0 = mlp(DataType.DOUBLE, 7);
        Dataset d = data(50, 8);
        TrainingOptions o = TrainingOptions.privateTraining(CE).withNoiseMultiplier(1.0).withBatchSize(1).withSteps(12).withSeed(21L);
        Trainer t = Trainer.create(m0, d, o);
        Model[] before = {m0};
        int[] empty = {0};
        double[] eps = {0};
        t.steps().doOnNext(r -> {
            if (r.batchSize() == 0) {
                empty[0]++;
                assertTrue(Double.isNaN(r.loss()), "no loss without examples");
                assertNotEquals(0.0, maxDiff(before[0], t.model()), "an empty batch still adds noise");
            }
            assertTrue(r.epsilon() > eps[0], "every step spends privacy");
            eps[0] = r.epsilon();
            before[0] = t.model();
        }).blockLast();
        assertTrue(empty[0] > 0, "with q = 1/50 some of 12 batches are empty (seeded)");
        assertEquals(12, t.step());
        assertEquals(dev.jacflux.training.privacy.RdpAccountant.epsilon(1.0, 1 / 50.0, 12, 1e-5), t.epsilon(), 1e-12);
    }

    /** Training on a small seeded task reaches a stated accuracy on held-out data (seeded noise, so the figure is fixed). */
    @Test
    void privateTrainingReachesTheStatedAccuracy() {
        Dataset train = data(2000, 1);
        Dataset test = data(1000, 2);
        TrainingOptions o = TrainingOptions.privateTraining(CE).withNoiseMultiplier(1.0).withClipNorm(1.0).withBatchSize(100)
                .withLearningRate(1.0).withEpochs(5).withSeed(11L);
        Trainer t = Trainer.create(mlp(DataType.FLOAT, 3), train, o);
        t.steps().blockLast();
        double accuracy = SyntheticClassification.accuracy(t.model().forward(test.x()), test.y());
        assertEquals(100, t.step(), "5 epochs at q = 0.05");
        assertTrue(accuracy >= 0.85, "held-out accuracy " + accuracy + " below 0.85 (chance is 0.25)");
        assertEquals(4.04, t.epsilon(), 0.01, "epsilon of 100 steps at sigma 1, q 0.05, delta 1e-5");
    }

    /** Plain SGD: mean gradient of the batch, no clipping, no noise, no epsilon. */
    @Test
    void plainSgdIsTheMeanGradientStep() {
        Model m0 = mlp(DataType.DOUBLE, 9);
        Dataset d = data(40, 10);
        TrainingOptions o = TrainingOptions.plain(CE).withBatchSize(10).withLearningRate(0.4).withSteps(2).withSeed(3L);
        Trainer t = Trainer.create(m0, d, o);
        List<StepResult> rs = t.steps().collectList().block();
        ShuffledSampler s = new ShuffledSampler(40, 10, RandomStreams.seeded(3));
        Model ref = m0;
        for (int step = 0; step < 2; step++) {
            Dataset.Batch b = d.batch(s.batch(step));
            ref = new Sgd(0.4, CE).step(ref, b.x(), b.y()).model();
        }
        assertEquals(0, maxDiff(t.model(), ref), 1e-12);
        assertTrue(Double.isNaN(rs.get(1).epsilon()));
        assertTrue(Double.isNaN(rs.get(1).clippedFraction()));
        assertEquals(null, rs.get(1).gradNormHistogram(), "plain SGD has no per-example norms");
        assertEquals("not private: plain SGD", rs.get(1).privacy());
    }

    /** Momentum follows PyTorch's SGD: v = mu v + g, theta -= lr v. */
    @Test
    void momentumFollowsPytorchSgd() {
        Model m0 = mlp(DataType.DOUBLE, 11);
        Dataset d = data(30, 12);
        TrainingOptions o = TrainingOptions.plain(CE).withBatchSize(10).withLearningRate(0.1).withMomentum(0.9).withSteps(3).withSeed(1L);
        Trainer t = Trainer.create(m0, d, o);
        t.steps().blockLast();
        ShuffledSampler s = new ShuffledSampler(30, 10, RandomStreams.seeded(1));
        Model ref = m0;
        List<INDArray> v = null;
        for (int step = 0; step < 3; step++) {
            Dataset.Batch b = d.batch(s.batch(step));
            List<INDArray> g = new Sgd(1, CE).gradient(ref, b.x(), b.y()).parameters();
            List<INDArray> nv = new ArrayList<>();
            List<INDArray> np = new ArrayList<>();
            for (int k = 0; k < g.size(); k++) {
                INDArray vk = v == null ? g.get(k).dup() : v.get(k).mul(0.9).add(g.get(k));
                nv.add(vk);
                np.add(ref.parameters().get(k).sub(vk.mul(0.1)));
            }
            v = nv;
            ref = ref.withParameters(np);
        }
        assertEquals(0, maxDiff(t.model(), ref), 1e-12);
    }

    /** Without a seed the noise and the sampling are secure: two runs from the same start differ, and the report says private. */
    @Test
    void withoutASeedTrainingIsPrivateAndNotReproducible() {
        Model m0 = mlp(DataType.DOUBLE, 13);
        Dataset d = data(40, 14);
        TrainingOptions o = TrainingOptions.privateTraining(CE).withNoiseMultiplier(1.0).withBatchSize(10).withSteps(1);
        Trainer a = Trainer.create(m0, d, o);
        StepResult r = a.steps().blockLast();
        Trainer b = Trainer.create(m0, d, o);
        b.steps().blockLast();
        assertEquals("private", r.privacy());
        assertTrue(maxDiff(a.model(), b.model()) > 1e-6, "secure noise is fresh on every run");
        Trainer seeded = Trainer.create(m0, d, o.withSeed(1L));
        assertEquals("not private: seeded noise", seeded.steps().blockLast().privacy());
        Trainer shuffled = Trainer.create(m0, d, o.withSampling(TrainingOptions.Sampling.SHUFFLE));
        StepResult sr = shuffled.steps().blockLast();
        assertTrue(Double.isNaN(sr.epsilon()), "no epsilon for shuffled batches");
        assertEquals("not covered by the accountant: shuffled fixed-size batches", sr.privacy());
    }
}
