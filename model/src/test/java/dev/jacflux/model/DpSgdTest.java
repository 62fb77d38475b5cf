package dev.jacflux.model;

import static dev.jacflux.model.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DP-SGD with ghost clipping and with the per-sample matrix against a reference that builds the
 * N x M matrix from a loop of single-sample backward passes and clips its rows explicitly.
 */
class DpSgdTest {

    static Stream<ModelCases.Case> cases() {
        return ModelCases.all().stream();
    }

    private static INDArray flat(List<INDArray> arrays) {
        List<INDArray> rows = new ArrayList<>();
        for (INDArray a : arrays) {
            rows.add(a.reshape(1, -1));
        }
        return Nd4j.hstack(rows.toArray(new INDArray[0])).reshape(-1);
    }

    /** A clip norm between two per-sample norms near the median, so that some rows are clipped and some are not. */
    private static double medianNorm(ModelCases.Case c) {
        INDArray loop = RowLoop.perSampleGradients(c.model().lossFunction(c.loss()), c.x(), c.targets(), c.model().parameters());
        double[] norms = loop.norm2(1).toDoubleVector();
        java.util.Arrays.sort(norms);
        return (norms[norms.length / 2] + norms[norms.length / 2 + 1]) / 2;
    }

    /**
     * Builds the matrix from a loop of single-sample backward passes ({@code RowLoop}, independent
     * of the per-sample routes under test), clips each row and sums: the definition of the clipped
     * sum.
     */
    private static INDArray explicitClippedSum(ModelCases.Case c, double clip) {
        INDArray m = RowLoop.perSampleGradients(c.model().lossFunction(c.loss()), c.x(), c.targets(), c.model().parameters());
        INDArray sum = Nd4j.zeros(m.dataType(), m.size(1));
        for (long b = 0; b < m.size(0); b++) {
            INDArray row = m.getRow(b).dup();
            double norm = row.norm2Number().doubleValue();
            if (norm > clip) {
                row.muli(clip / norm);
            }
            sum.addi(row);
        }
        return sum;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ghostClippedSumEqualsExplicitRowClipping(ModelCases.Case c) {
        double clip = medianNorm(c);
        INDArray expected = explicitClippedSum(c, clip).divi(ModelCases.N);
        DpSgd dp = new DpSgd(0.1, clip, 0.0, c.loss(), PerSampleOptions.DEFAULT, DpSgd.Method.GHOST, dev.jacflux.model.ghost.GhostStrategy.AUTO);
        DpSgd.NoisyGradient ghost = dp.noisyGradient(c.model(), c.x(), c.targets(), 1L);
        assertClose(c.name() + ": ghost clipped mean", expected, flat(ghost.parameters()));
        assertFalse(ghost.stats().perSampleMatrixBuilt());
        assertTrue(ghost.stats().clippedFraction() > 0 && ghost.stats().clippedFraction() < 1, c.name() + ": " + ghost.stats());
        DpSgd.NoisyGradient matrix = dp.withMethod(DpSgd.Method.PER_SAMPLE_MATRIX).noisyGradient(c.model(), c.x(), c.targets(), 1L);
        assertClose(c.name() + ": matrix clipped mean", expected, flat(matrix.parameters()));
        assertTrue(matrix.stats().perSampleMatrixBuilt());
        assertEquals(ghost.stats().clippedFraction(), matrix.stats().clippedFraction());
        assertEquals(matrix.stats().meanLoss(), ghost.stats().meanLoss(), 1e-12);
        assertEquals(matrix.stats().meanGradNorm(), ghost.stats().meanGradNorm(), 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void noisyStepsAgreeBetweenGhostAndMatrixAndAcrossChunks(ModelCases.Case c) {
        DpSgd dp = DpSgd.of(0.05, medianNorm(c), 1.3, c.loss());
        Model ghost = dp.step(c.model(), c.x(), c.targets(), 99L).model();
        Model matrix = dp.withMethod(DpSgd.Method.PER_SAMPLE_MATRIX).step(c.model(), c.x(), c.targets(), 99L).model();
        Model chunked = dp.withOptions(PerSampleOptions.DEFAULT.withSamplesPerChunk(2)).step(c.model(), c.x(), c.targets(), 99L).model();
        assertClose(c.name() + ": ghost vs matrix", matrix.parameterVector(), ghost.parameterVector());
        assertClose(c.name() + ": chunked vs whole", ghost.parameterVector(), chunked.parameterVector());
        Model other = dp.step(c.model(), c.x(), c.targets(), 100L).model();
        assertNotEquals(ghost.parameterVector(), other.parameterVector(), "another seed must draw other noise");
    }

    @Test
    void withoutClippingOrNoiseItIsPlainSgd() {
        ModelCases.Case c = ModelCases.dense().get(5);
        Model plain = new Sgd(0.3, c.loss()).step(c.model(), c.x(), c.targets()).model();
        Model dp = DpSgd.of(0.3, 1e9, 0.0, c.loss()).step(c.model(), c.x(), c.targets(), 5L).model();
        assertClose("dp-sgd without clipping and noise", plain.parameterVector(), dp.parameterVector());
    }

    @Test
    void noiseHasTheStandardDeviationSigmaTimesCOverN() {
        Sequential arch = Sequential.of(new long[] {20}, Linear.of("fc1", 20, 40), new Tanh(), Linear.of("fc2", 40, 10));
        Model m = Fixtures.randomModel(arch, 41);
        INDArray x = Fixtures.normal(42, 8, 20);
        INDArray y = Fixtures.labels(43, 8, 10);
        DpSgd quiet = DpSgd.of(1.0, 0.5, 0.0, Loss.crossEntropy());
        DpSgd noisy = DpSgd.of(1.0, 0.5, 2.0, Loss.crossEntropy());
        INDArray noise = flat(noisy.noisyGradient(m, x, y, 7L).parameters()).sub(flat(quiet.noisyGradient(m, x, y, 7L).parameters()));
        double expectedStd = 2.0 * 0.5 / 8;
        assertEquals(0.0, noise.meanNumber().doubleValue(), 4 * expectedStd / Math.sqrt(noise.length()));
        assertEquals(expectedStd, noise.stdNumber().doubleValue(), 0.05 * expectedStd, "noise std over " + noise.length() + " entries");
        INDArray again = flat(noisy.noisyGradient(m, x, y, 7L).parameters()).sub(flat(quiet.noisyGradient(m, x, y, 7L).parameters()));
        assertClose("same seed, same noise", noise, again, 0, 0);
    }

    @Test
    void trainingWithDpSgdLowersTheLoss() {
        Sequential arch = Sequential.of(new long[] {6}, Linear.of("fc1", 6, 16), new Tanh(), Linear.of("fc2", 16, 3));
        Model m = Model.initialize(arch, org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3L);
        INDArray x = Fixtures.normal(51, 64, 6);
        INDArray w = Fixtures.normal(52, 6, 3);
        INDArray y = Nd4j.argMax(x.mmul(w), 1).castTo(org.nd4j.linalg.api.buffer.DataType.LONG);
        DpSgd dp = DpSgd.of(0.5, 1.0, 0.3, Loss.crossEntropy());
        double first = dp.step(m, x, y, 0L).stats().meanLoss();
        for (int s = 0; s < 60; s++) {
            m = dp.step(m, x, y, s).model();
        }
        double last = dp.step(m, x, y, 1000L).stats().meanLoss();
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
    }

    @Test
    void clipFactorsAreMinOfOneAndCOverNorm() {
        DpSgd dp = DpSgd.of(0.1, 2.0, 0.0, Loss.mse());
        INDArray c = dp.clipFactors(Nd4j.createFromArray(0.0, 1.0, 2.0, 4.0, 8.0));
        assertClose("clip factors", Nd4j.createFromArray(1.0, 1.0, 1.0, 0.5, 0.25), c, 0, 0);
        INDArray norms = Transforms.abs(Fixtures.normal(1, 5));
        assertTrue(norms.mul(dp.clipFactors(norms)).maxNumber().doubleValue() <= 2.0 + 1e-15);
    }
}
