package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.JobKind;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.service.models.StoredModel;
import dev.jacflux.service.support.Arrays2;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The saliency map against plain loops over the batch Jacobians: mean |J| over samples, outputs and channels per pixel. */
class SaliencyAggregatorTest {

    private static StoredModel model(String id, long... inputShape) {
        long in = 1;
        for (long d : inputShape) {
            in *= d;
        }
        Sequential s = Sequential.of(inputShape, new Flatten(), Linear.of("fc", in, 3));
        return new StoredModel(id, Path.of("model.json"), Path.of("weights.npz"), s);
    }

    @ParameterizedTest
    @CsvSource({"1, 2, 5, 7, 11", "2, 3, 1, 6, 6", "3, 1, 2, 130, 70"})
    void theMapIsTheMeanAbsoluteJacobianPerPixel(long seed, int batches, int channels, int height, int width) {
        StoredModel m = model("m1", channels, height, width);
        SaliencyAggregator s = new SaliencyAggregator(() -> 42L);
        int outputs = 3;
        double[][] sums = new double[height][width];
        long rows = 0;
        long samples = 0;
        for (int b = 0; b < batches; b++) {
            int n = 2 + b;
            INDArray j = Arrays2.randn(seed * 100 + b, DataType.FLOAT, n, outputs, channels, height, width);
            s.resultWritten("req-1", m, JobKind.BATCH_JACOBIAN, j);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < outputs; k++) {
                    for (int c = 0; c < channels; c++) {
                        for (int y = 0; y < height; y++) {
                            for (int x = 0; x < width; x++) {
                                sums[y][x] += Math.abs(j.getDouble(i, k, c, y, x));
                            }
                        }
                    }
                }
            }
            rows += (long) n * outputs;
            samples += n;
        }
        int block = Math.max(1, (Math.max(height, width) + SaliencyAggregator.MAX_SIDE - 1) / SaliencyAggregator.MAX_SIDE);
        int h = (height + block - 1) / block;
        int w = (width + block - 1) / block;
        double[] expected = new double[h * w];
        for (int cy = 0; cy < h; cy++) {
            for (int cx = 0; cx < w; cx++) {
                double sum = 0;
                int count = 0;
                for (int y = cy * block; y < Math.min(height, (cy + 1) * block); y++) {
                    for (int x = cx * block; x < Math.min(width, (cx + 1) * block); x++) {
                        sum += sums[y][x];
                        count++;
                    }
                }
                expected[cy * w + cx] = sum / count / rows / channels;
            }
        }
        double max = java.util.Arrays.stream(expected).max().orElseThrow();
        double mean = java.util.Arrays.stream(expected).average().orElseThrow();

        SaliencyMap map = s.latest().orElseThrow();
        assertEquals("req-1", map.requestId());
        assertEquals("m1", map.model());
        assertEquals(42L, map.t());
        assertEquals(channels, map.channels());
        assertEquals(h, map.height());
        assertEquals(w, map.width());
        assertEquals(block, map.block());
        assertEquals(batches, map.batches());
        assertEquals(samples, map.samples());
        assertEquals(max, map.max(), max * 1e-5);
        assertEquals(mean, map.mean(), mean * 1e-5);
        assertEquals(h * w, map.values().length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] / max, map.values()[i], 0.0005 + 1e-6, "cell " + i);
        }
        assertThat(h).isLessThanOrEqualTo(SaliencyAggregator.MAX_SIDE);
        assertThat(w).isLessThanOrEqualTo(SaliencyAggregator.MAX_SIDE);
    }

    @Test
    void aNewRequestReplacesTheMapAndLateBatchesOfTheOldOneAreIgnored() {
        StoredModel m = model("m1", 1, 4, 4);
        SaliencyAggregator s = new SaliencyAggregator(() -> 1L);
        assertTrue(s.latest().isEmpty());
        long v0 = s.version();
        s.resultWritten("old", m, JobKind.BATCH_JACOBIAN, Arrays2.randn(1, DataType.FLOAT, 2, 3, 1, 4, 4));
        s.resultWritten("new", m, JobKind.BATCH_JACOBIAN, Arrays2.randn(2, DataType.FLOAT, 5, 3, 1, 4, 4));
        long v2 = s.version();
        assertEquals(v0 + 2, v2);
        s.resultWritten("old", m, JobKind.BATCH_JACOBIAN, Arrays2.randn(3, DataType.FLOAT, 2, 3, 1, 4, 4));
        assertEquals(v2, s.version(), "a batch of an older request changes nothing");
        assertEquals("new", s.latest().orElseThrow().requestId());
        assertEquals(5, s.latest().orElseThrow().samples());
    }

    @Test
    void otherJobsAndNonImageModelsArePassedOver() {
        SaliencyAggregator s = new SaliencyAggregator(() -> 1L);
        StoredModel image = model("img", 1, 4, 4);
        for (JobKind k : List.of(JobKind.FULL_JACOBIAN, JobKind.PER_SAMPLE_GRADIENTS, JobKind.PER_SAMPLE_PARAM_JACOBIAN,
                JobKind.PER_SAMPLE_GRADIENT_NORMS)) {
            s.resultWritten("r-" + k, image, k, Arrays2.randn(1, DataType.FLOAT, 2, 3, 1, 4, 4));
        }
        s.resultWritten("flat", model("flat", 16), JobKind.BATCH_JACOBIAN, Arrays2.randn(1, DataType.FLOAT, 2, 3, 16));
        s.resultWritten("thin", model("thin", 3, 1, 9), JobKind.BATCH_JACOBIAN, Arrays2.randn(1, DataType.FLOAT, 2, 3, 3, 1, 9));
        assertTrue(s.latest().isEmpty());
        assertEquals(0, s.version());
        assertTrue(SaliencyAggregator.isImage(new long[] {28, 28}));
        assertTrue(SaliencyAggregator.isImage(new long[] {3, 32, 32}));
    }
}
