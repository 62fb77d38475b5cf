package dev.jacflux.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The binned gradient norms of a step. */
class GradNormHistogramTest {

    /** np.histogram([0.2, 0.7, 1.4, 3.0], bins=4, range=(0, 3)) = ([2, 1, 0, 1], [0, .75, 1.5, 2.25, 3]). */
    @Test
    void binsAsNumpyHistogram() {
        GradNormHistogram h = GradNormHistogram.of(new double[] {0.2, 0.7, 1.4, 3.0}, 1.0, 4);
        assertArrayEquals(new double[] {0, 0.75, 1.5, 2.25, 3.0}, h.edges(), 0);
        assertArrayEquals(new long[] {2, 1, 0, 1}, h.counts());
        assertEquals(4, h.total());
    }

    /** All norms below the clip norm: the range still reaches C, so the bound is on the chart. */
    @Test
    void rangeReachesTheClipNorm() {
        GradNormHistogram h = GradNormHistogram.of(new double[] {0.1, 0.1, 0.45}, 2.0, 4);
        assertArrayEquals(new double[] {0, 0.5, 1.0, 1.5, 2.0}, h.edges(), 0);
        assertArrayEquals(new long[] {3, 0, 0, 0}, h.counts());
    }

    @Test
    void emptyBatchCountsNothing() {
        GradNormHistogram h = GradNormHistogram.of(new double[0], 1.0, GradNormHistogram.DEFAULT_BINS);
        assertEquals(GradNormHistogram.DEFAULT_BINS, h.bins());
        assertEquals(0, h.total());
        assertEquals(1.0, h.edges()[GradNormHistogram.DEFAULT_BINS], 0);
    }

    /** Against a plain loop over the edges (half-open bins, the last closed), for seeded random norms including exact edges. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void countsMatchALinearScanOfTheEdges(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(300);
        int bins = 1 + r.nextInt(30);
        double c = 0.1 + r.nextDouble() * 3;
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            norms[i] = r.nextDouble() < 0.1 ? c * r.nextInt(bins + 1) / bins : r.nextDouble() * 5 * c;
        }
        GradNormHistogram h = GradNormHistogram.of(norms, c, bins);
        double[] e = h.edges();
        long[] want = new long[bins];
        for (double v : norms) {
            for (int b = 0; b < bins; b++) {
                if (v >= e[b] && (v < e[b + 1] || b == bins - 1 && v <= e[b + 1])) {
                    want[b]++;
                    break;
                }
            }
        }
        assertArrayEquals(want, h.counts());
        assertEquals(n, h.total());
    }

    @Test
    void refusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> GradNormHistogram.of(new double[] {Double.NaN}, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> GradNormHistogram.of(new double[] {-1}, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> GradNormHistogram.of(new double[] {1}, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> GradNormHistogram.of(new double[] {1}, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new GradNormHistogram(new double[] {0, 1}, new long[] {1, 2}));
    }
}
