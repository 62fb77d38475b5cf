package dev.jacflux.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a DP-SGD step's noise comes from. The attack that motivated secure noise: from a released
 * seeded step and its seed, regenerate the noise and subtract it, leaving the exact clipped gradient;
 * with secure noise the same attack finds nothing.
 */
class DpSgdNoiseTest {
    private final Sequential arch = Sequential.of(new long[] {20}, Linear.of("fc1", 20, 40), new Tanh(), Linear.of("fc2", 40, 10));
    private final Model model = Fixtures.randomModel(arch, 41);
    private final INDArray x = Fixtures.normal(42, 8, 20);
    private final INDArray y = Fixtures.labels(43, 8, 10);
    private final DpSgd noisy = DpSgd.of(1.0, 0.5, 2.0, Loss.crossEntropy());
    private final DpSgd quiet = DpSgd.of(1.0, 0.5, 0.0, Loss.crossEntropy());

    private static INDArray flat(List<INDArray> arrays) {
        return Nd4j.concat(0, arrays.stream().map(a -> a.reshape('c', new long[] {a.length()})).toArray(INDArray[]::new));
    }

    /** The released privatised gradient minus the noise regenerated from the seed. */
    private INDArray attack(INDArray released, long guessedSeed) {
        INDArray z = GaussianNoise.sample(guessedSeed, model.parameterCount(), noisy.noiseMultiplier() * noisy.clipNorm(), DataType.DOUBLE);
        return released.sub(z.div(x.size(0)));
    }

    @Test
    void seededNoiseIsRemovedExactlyByWhoeverKnowsTheSeed() {
        INDArray released = flat(noisy.noisyGradient(model, x, y, 1234L).parameters());
        INDArray truth = flat(quiet.noisyGradient(model, x, y, 0L).parameters());
        assertEquals(0, attack(released, 1234L).sub(truth).amaxNumber().doubleValue(), 1e-15, "the clipped gradient, unprotected");
        assertTrue(NoiseSource.seeded(1234L).reproducible());
    }

    @Test
    void secureNoiseIsTheDefaultAndCannotBeRegenerated() {
        INDArray truth = flat(quiet.noisyGradient(model, x, y, 0L).parameters());
        INDArray released = flat(noisy.noisyGradient(model, x, y).parameters());
        double noiseScale = noisy.noiseMultiplier() * noisy.clipNorm() / x.size(0);
        for (long seed = 0; seed < 200; seed++) {
            double left = attack(released, seed).sub(truth).amaxNumber().doubleValue();
            assertTrue(left > noiseScale, "seed " + seed + " removed the secure noise (max residual " + left + ")");
        }
        INDArray again = flat(noisy.noisyGradient(model, x, y).parameters());
        assertFalse(released.equalsWithEps(again, 1e-9), "two secure steps draw different noise");
        assertFalse(NoiseSource.secure().reproducible());
        Model a = noisy.step(model, x, y).model();
        Model b = noisy.step(model, x, y).model();
        assertTrue(a.parameterVector().sub(b.parameterVector()).amaxNumber().doubleValue() > 1e-3, "step() uses fresh secure noise");
    }

    /** Secure noise has the same law: mean 0, standard deviation sigma C / N over the M entries. */
    @Test
    void secureNoiseHasTheStandardDeviationSigmaTimesCOverN() {
        INDArray truth = flat(quiet.noisyGradient(model, x, y, 0L).parameters());
        INDArray noise = flat(noisy.noisyGradient(model, x, y, NoiseSource.secure()).parameters()).sub(truth);
        double expectedStd = 2.0 * 0.5 / 8;
        // M = 1250 entries: 6 standard errors, so a correct sampler fails with probability below 1e-8
        assertEquals(0.0, noise.meanNumber().doubleValue(), 6 * expectedStd / Math.sqrt(noise.length()));
        assertEquals(expectedStd, noise.stdNumber().doubleValue(), 6 * expectedStd / Math.sqrt(2.0 * noise.length()));
    }

    @Test
    void seededSourceIsGaussianNoiseOfItsSeed() {
        INDArray a = NoiseSource.seeded(77L).sample(500, 1.5, DataType.DOUBLE);
        assertEquals(0, a.sub(GaussianNoise.sample(77L, 500, 1.5, DataType.DOUBLE)).amaxNumber().doubleValue(), 0);
        assertEquals(0, flat(noisy.noisyGradient(model, x, y, 77L).parameters())
                .sub(flat(noisy.noisyGradient(model, x, y, NoiseSource.seeded(77L)).parameters())).amaxNumber().doubleValue(), 0);
    }
}
