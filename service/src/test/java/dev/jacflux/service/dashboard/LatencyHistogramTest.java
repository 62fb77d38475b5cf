package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Quantiles from the log buckets against the exact nearest-rank quantiles of the recorded durations. */
class LatencyHistogramTest {
    /** A bucket spans a factor 2^(1/4); its geometric middle is within 2^(1/8) of any value in it. */
    private static final double WITHIN = Math.pow(2, 1.0 / 8) * (1 + 1e-9);

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void quantilesAreWithinHalfABucketOfTheExactOnes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(5000);
        long[] nanos = new long[n];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < n; i++) {
            nanos[i] = (long) Math.pow(10, 4 + 6 * r.nextDouble());   // 10 us to 10 s, log-uniform
            h.record(nanos[i]);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        LatencyHistogram.Summary s = h.drain();
        assertEquals(n, s.count());
        assertEquals(sorted[n - 1] / 1e9, s.max(), 0, "max is exact");
        assertWithin(exact(sorted, 0.50), s.p50());
        assertWithin(exact(sorted, 0.95), s.p95());
        assertThat(s.p50()).isLessThanOrEqualTo(s.p95());
        assertEquals(LatencyHistogram.Summary.EMPTY, h.drain(), "a drain starts the next interval");
    }

    @Test
    void aSingleDurationIsReportedAtMostAsItself() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(2_000_000);
        LatencyHistogram.Summary s = h.drain();
        assertEquals(1, s.count());
        assertEquals(0.002, s.max(), 0);
        assertWithin(0.002, s.p50());
        assertThat(s.p95()).isLessThanOrEqualTo(0.002);
    }

    @Test
    void bucketsCoverTheirEdgesWithoutGaps() {
        for (int b = 1; b < LatencyHistogram.BUCKETS - 1; b++) {
            long lo = (long) Math.ceil(LatencyHistogram.lowerEdge(b));
            long hi = (long) Math.floor(LatencyHistogram.lowerEdge(b + 1)) - 1;
            assertEquals(b, LatencyHistogram.bucket(lo), "lower edge of bucket " + b);
            assertEquals(b, LatencyHistogram.bucket(hi), "just below the upper edge of bucket " + b);
        }
        assertEquals(0, LatencyHistogram.bucket(0));
        assertEquals(0, LatencyHistogram.bucket(-5));
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucket(Long.MAX_VALUE));
    }

    @Test
    void concurrentRecordsAreAllCounted() throws Exception {
        LatencyHistogram h = new LatencyHistogram();
        int threads = 4;
        int each = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            long seed = t;
            pool.execute(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < each; i++) {
                    h.record(1_000 + r.nextInt(1_000_000));
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertEquals((long) threads * each, h.drain().count());
    }

    private static double exact(long[] sorted, double q) {
        int rank = (int) Math.max(1, Math.ceil(q * sorted.length));
        return sorted[rank - 1] / 1e9;
    }

    private static void assertWithin(double expected, double actual) {
        assertThat(actual / expected).as("%s against %s", actual, expected).isBetween(1 / WITHIN, WITHIN);
    }
}
