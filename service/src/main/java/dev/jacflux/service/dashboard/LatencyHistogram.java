package dev.jacflux.service.dashboard;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Durations recorded over one interval, for the dashboard's latency chart: a lock-free histogram
 * with logarithmic buckets (four per doubling, from 1 microsecond to about 18 hours), so a quantile
 * is known within a factor {@code 2^(1/4)} (19 %) without keeping the durations. {@link #drain()}
 * returns the interval's count, median, 95th percentile and maximum and starts the next interval.
 *
 * <pre>{@code
 * LatencyHistogram h = new LatencyHistogram();
 * h.record(2_000_000);                       // 2 ms
 * LatencyHistogram.Summary s = h.drain();    // count 1, p50 ~ 2 ms, max 2 ms
 * }</pre>
 */
public final class LatencyHistogram {
    /** Buckets per doubling of the duration. */
    static final int PER_DOUBLING = 4;
    /** Number of buckets: 1 us times 2^(BUCKETS / PER_DOUBLING) is about 18 hours. */
    static final int BUCKETS = 36 * PER_DOUBLING;
    private static final double FLOOR_NANOS = 1_000;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong max = new AtomicLong();

    /**
     * The statistics of one interval, in seconds; all zero when nothing was recorded.
     *
     * @param count durations recorded
     * @param p50   median (the geometric middle of its bucket, at most {@code max})
     * @param p95   95th percentile, likewise
     * @param max   longest duration, exact
     */
    public record Summary(long count, double p50, double p95, double max) {
        /** Nothing recorded. */
        public static final Summary EMPTY = new Summary(0, 0, 0, 0);
    }

    /** Records one duration of {@code nanos} (negative counts as 0). */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        counts.incrementAndGet(bucket(n));
        max.accumulateAndGet(n, Math::max);
    }

    /** The interval's statistics; the histogram starts over. */
    public Summary drain() {
        long[] c = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = counts.getAndSet(i, 0);
            total += c[i];
        }
        long longest = max.getAndSet(0);
        if (total == 0) {
            return Summary.EMPTY;
        }
        double maxSeconds = longest / 1e9;
        return new Summary(total, Math.min(quantile(c, total, 0.50), maxSeconds), Math.min(quantile(c, total, 0.95), maxSeconds), maxSeconds);
    }

    /** The bucket of a duration: bucket b holds [1 us * 2^(b/4), 1 us * 2^((b+1)/4)); bucket 0 also everything below 1 us. */
    static int bucket(long nanos) {
        if (nanos < FLOOR_NANOS) {
            return 0;
        }
        int b = (int) Math.floor(Math.log(nanos / FLOOR_NANOS) / Math.log(2) * PER_DOUBLING);
        return Math.min(BUCKETS - 1, b);
    }

    /** Lower edge of bucket {@code b}, in nanoseconds (bucket 0 starts at 0). */
    static double lowerEdge(int b) {
        return b == 0 ? 0 : FLOOR_NANOS * Math.pow(2, (double) b / PER_DOUBLING);
    }

    /** The value reported for bucket {@code b}: the geometric middle of its edges, in seconds. */
    static double representative(int b) {
        double lo = b == 0 ? FLOOR_NANOS : lowerEdge(b);
        double hi = lowerEdge(b + 1);
        return Math.sqrt(lo * hi) / 1e9;
    }

    /** The smallest bucket whose cumulative count reaches {@code q * total} (nearest-rank). */
    private static double quantile(long[] c, long total, double q) {
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < c.length; i++) {
            seen += c[i];
            if (seen >= rank) {
                return representative(i);
            }
        }
        return representative(c.length - 1);
    }
}
