package dev.jacflux.training;

import java.util.Arrays;

/**
 * How the per-example gradient norms of one step are spread: counts over equal-width bins from 0 to
 * the larger of the largest norm and the clip norm, so that the clipping bound always lies on the
 * chart. An aggregate (counts only): the norms themselves are not kept. Like the loss and the
 * quantiles of {@link StepResult}, it is computed from the batch without noise, so it is a
 * monitoring figure, not covered by the accountant (see {@code docs/privacy.md}).
 *
 * <pre>{@code
 * GradNormHistogram h = GradNormHistogram.of(new double[] {0.2, 0.7, 1.4, 3.0}, 1.0, 4);
 * h.edges();    // [0.0, 0.75, 1.5, 2.25, 3.0]
 * h.counts();   // [2, 1, 0, 1]
 * }</pre>
 *
 * @param edges {@code bins + 1} increasing bin edges, the first 0
 * @param counts examples per bin: bin {@code i} holds norms in {@code [edges[i], edges[i+1])}, the last
 *     bin also its upper edge
 */
public record GradNormHistogram(double[] edges, long[] counts) {
    /** Bins of the steps' histograms. */
    public static final int DEFAULT_BINS = 20;

    public GradNormHistogram {
        if (edges == null || counts == null || counts.length < 1 || edges.length != counts.length + 1) {
            throw new IllegalArgumentException("gradient-norm histogram: expected bins + 1 edges for its bins, got "
                    + (edges == null ? "no" : edges.length) + " edges and " + (counts == null ? "no" : counts.length) + " counts");
        }
        edges = edges.clone();
        counts = counts.clone();
        for (int i = 0; i < counts.length; i++) {
            if (!(edges[i + 1] > edges[i]) || counts[i] < 0) {
                throw new IllegalArgumentException("gradient-norm histogram: edges must increase and counts be >= 0; bin " + i + " is ["
                        + edges[i] + ", " + edges[i + 1] + ") with count " + counts[i]);
            }
        }
    }

    /**
     * The histogram of {@code norms} over {@code bins} equal bins on {@code [0, max(max norm, clipNorm)]}.
     *
     * @param clipNorm the clipping bound ({@code > 0})
     * @throws IllegalArgumentException for a negative or non-finite norm, a clip norm {@code <= 0} or fewer than one bin
     */
    public static GradNormHistogram of(double[] norms, double clipNorm, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("gradient-norm histogram: at least one bin, got " + bins);
        }
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("gradient-norm histogram: the clip norm must be a finite number > 0, got " + clipNorm);
        }
        double top = clipNorm;
        for (double v : norms) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("gradient-norm histogram: norms must be finite and >= 0, got " + v);
            }
            top = Math.max(top, v);
        }
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            edges[i] = top * i / bins;
        }
        edges[bins] = top;
        long[] counts = new long[bins];
        for (double v : norms) {
            int b = (int) Math.floor(v / top * bins);
            // floating-point rounding can put a value just below an edge into the next bin: place it by the edges
            b = Math.min(bins - 1, Math.max(0, b));
            while (b > 0 && v < edges[b]) {
                b--;
            }
            while (b < bins - 1 && v >= edges[b + 1]) {
                b++;
            }
            counts[b]++;
        }
        return new GradNormHistogram(edges, counts);
    }

    @Override
    public double[] edges() {
        return edges.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** Bins. */
    public int bins() {
        return counts.length;
    }

    /** Examples counted. */
    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GradNormHistogram h && Arrays.equals(edges, h.edges) && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(edges) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "GradNormHistogram" + Arrays.toString(edges) + " " + Arrays.toString(counts);
    }
}
