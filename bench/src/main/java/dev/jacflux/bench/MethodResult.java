package dev.jacflux.bench;

import java.util.Arrays;

/**
 * The figures of one method in one group: wall times of the timed runs, peak memory, and how far
 * its result is from the reference method's.
 *
 * <pre>{@code
 * MethodResult r = report.result("jacflux[D_y=8]");
 * double ms = r.medianMs();
 * long bytes = r.peakBytes();   // heap + off-heap
 * }</pre>
 *
 * @param method the base method name, e.g. {@code jacflux}
 * @param group the group label, empty for single-group cases
 * @param timesMs wall time of each timed run, in run order
 * @param warmups untimed runs before them
 * @param peakHeapBytes heap peak above the pre-setup heap (see {@link MemoryProbe})
 * @param peakOffHeapBytes resident-set peak above the pre-setup resident set (see {@link MemoryProbe})
 * @param peakRssBytes the process's absolute peak resident set during the timed runs
 * @param comparedTo the display name of the reference method, or empty for the reference itself
 * @param maxAbsDiff {@code max |result - reference|} (0 for the reference itself)
 * @param maxRelDiff {@code maxAbsDiff / max |reference|}
 * @param note a short remark (chunks, threads), may be empty
 */
public record MethodResult(String method, String group, double[] timesMs, int warmups, long peakHeapBytes, long peakOffHeapBytes,
        long peakRssBytes, String comparedTo, double maxAbsDiff, double maxRelDiff, String note) {

    public MethodResult {
        timesMs = timesMs.clone();
        group = group == null ? "" : group;
        comparedTo = comparedTo == null ? "" : comparedTo;
        note = note == null ? "" : note;
    }

    /** The name shown in tables and JSON: {@code jacflux} or {@code jacflux[D_y=8]}. */
    public String display() {
        return group.isEmpty() ? method : method + "[" + group + "]";
    }

    /** Number of timed runs. */
    public int runs() {
        return timesMs.length;
    }

    /** Median of the timed runs (mean of the middle two for an even count). */
    public double medianMs() {
        double[] s = timesMs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Fastest timed run. */
    public double minMs() {
        return Arrays.stream(timesMs).min().orElse(Double.NaN);
    }

    /** Slowest timed run. */
    public double maxMs() {
        return Arrays.stream(timesMs).max().orElse(Double.NaN);
    }

    /** Heap plus off-heap peak. */
    public long peakBytes() {
        return peakHeapBytes + peakOffHeapBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodResult r && r.display().equals(display()) && Arrays.equals(r.timesMs, timesMs);
    }

    @Override
    public int hashCode() {
        return display().hashCode() * 31 + Arrays.hashCode(timesMs);
    }

    @Override
    public String toString() {
        return String.format("%s: median %.2f ms (min %.2f, max %.2f, %d runs), peak %d bytes", display(), medianMs(), minMs(), maxMs(),
                runs(), peakBytes());
    }
}
