package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.service.trainings.TrainingState;
import dev.jacflux.service.trainings.TrainingUpdate;
import dev.jacflux.training.GradNormHistogram;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The training gauges follow the updates; quantiles read from the histogram are within one bin of the exact ones. */
class TrainingGaugesTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void histogramQuantilesAreWithinOneBinOfTheExactOnes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] norms = new double[50 + r.nextInt(200)];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = Math.exp(r.nextGaussian());
        }
        GradNormHistogram h = GradNormHistogram.of(norms, 1.0, GradNormHistogram.DEFAULT_BINS);
        double width = h.edges()[1] - h.edges()[0];
        double[] sorted = norms.clone();
        Arrays.sort(sorted);
        for (double q : new double[] {0.5, 0.9}) {
            double exact = sorted[(int) Math.ceil(q * sorted.length) - 1];
            assertThat(TrainingGauges.quantile(h, q)).as("q=%s", q).isCloseTo(exact, org.assertj.core.api.Assertions.within(width));
        }
    }

    @Test
    void gaugesFollowTheLatestUpdate() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrainingGauges g = new TrainingGauges(registry);
        GradNormHistogram h = GradNormHistogram.of(new double[] {0.5, 0.5, 1.5, 2.5}, 1.0, 5);
        g.accept(new TrainingUpdate("t1", TrainingState.RUNNING, "m", true, 0, 50L, null, null, null, 2.0, 1e-5, 1.0, 1.1, null, null,
                "private", Instant.EPOCH));
        assertThat(registry.get(TrainingGauges.CLIPPED_FRACTION).tag("training", "t1").gauge().value()).isNaN();
        g.accept(new TrainingUpdate("t1", TrainingState.RUNNING, "m", true, 7, 50L, 1.2, 0.5, 0.4, 2.0, 1e-5, 1.0, 1.1, 800.0, h,
                "private", Instant.EPOCH));
        assertEquals(7, registry.get(TrainingGauges.LATEST_STEP).tag("training", "t1").gauge().value());
        assertEquals(0.5, registry.get(TrainingGauges.CLIPPED_FRACTION).tag("training", "t1").gauge().value());
        assertEquals(2.0, registry.get(TrainingGauges.TARGET_EPSILON).tag("training", "t1").gauge().value());
        assertEquals(1.0, registry.get(TrainingGauges.MAX_GRAD_NORM).tag("training", "t1").gauge().value());
        assertEquals(TrainingGauges.quantile(h, 0.5), registry.get(TrainingGauges.GRAD_NORM_MEDIAN).tag("training", "t1").gauge().value());
        assertEquals(TrainingGauges.quantile(h, 0.9), registry.get(TrainingGauges.GRAD_NORM_P90).tag("training", "t1").gauge().value());
        g.accept(new TrainingUpdate("t2", TrainingState.RUNNING, "m", false, 3, null, 0.9, null, null, null, 1e-5, 1.0, 0, 500.0, null,
                "not private: plain SGD", Instant.EPOCH));
        assertThat(registry.get(TrainingGauges.TARGET_EPSILON).tag("training", "t2").gauge().value()).isNaN();
        assertThat(registry.get(TrainingGauges.MAX_GRAD_NORM).tag("training", "t2").gauge().value()).isNaN();
        assertEquals(7, registry.get(TrainingGauges.LATEST_STEP).tag("training", "t1").gauge().value(), "t1 keeps its figures");
    }
}
