package dev.jacflux.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * What one training step did: emitted by {@link Trainer#steps()} once per step, written as one line
 * of {@code steps.ndjson} by the command line ({@link #toJson()}).
 *
 * <p>JSON fields (snake case; NaN and infinities become {@code null}): {@code step},
 * {@code epoch}, {@code batch_size}, {@code loss}, {@code clipped_fraction},
 * {@code grad_norm_min}, {@code grad_norm_p25}, {@code grad_norm_median}, {@code grad_norm_p75},
 * {@code grad_norm_max}, {@code grad_norm_histogram} ({@code {"edges": [...], "counts": [...]}}, or
 * {@code null}), {@code epsilon}, {@code delta}, {@code noise_multiplier},
 * {@code samples_per_second}, {@code seconds}, {@code privacy}. {@link #parse} reads such a line back.
 *
 * <pre>{@code
 * trainer.steps().subscribe(r -> System.out.printf("step %d loss %.3f eps %.2f%n", r.step(), r.loss(), r.epsilon()));
 * String line = r.toJson();   // {"step": 12, "epoch": 0.05, "batch_size": 61, "loss": 0.93, ..., "privacy": "private"}
 * }</pre>
 *
 * @param step steps done, this one included (1 for the first)
 * @param epoch passes over the data done ({@code step * q} under Poisson sampling)
 * @param batchSize examples in this step's batch (0 for an empty Poisson batch, which still adds noise and counts)
 * @param loss mean per-example loss of the batch before the update (NaN for an empty batch)
 * @param clippedFraction fraction of the batch whose gradient was scaled down (NaN for plain SGD or an empty batch)
 * @param gradNormQuantiles per-example gradient norms at the levels {@link #QUANTILE_LEVELS}
 *     (min, 25%, median, 75%, max; linear interpolation); NaN for plain SGD or an empty batch
 * @param gradNormHistogram the per-example gradient norms over {@link GradNormHistogram#DEFAULT_BINS} bins up to
 *     {@code max(max norm, clip norm)}; null for plain SGD or an empty batch
 * @param epsilon privacy spent so far at {@code delta} (NaN when not accounted, see {@code privacy})
 * @param delta the delta of {@code epsilon}
 * @param noiseMultiplier the noise multiplier of the step (0 for plain SGD)
 * @param samplesPerSecond this step's examples over its wall time
 * @param seconds this step's wall time
 * @param privacy what the epsilon means ({@link Privacy#describe()})
 */
public record StepResult(long step, double epoch, long batchSize, double loss, double clippedFraction, double[] gradNormQuantiles,
        GradNormHistogram gradNormHistogram, double epsilon, double delta, double noiseMultiplier, double samplesPerSecond, double seconds, String privacy) {

    /** The quantile levels of {@link #gradNormQuantiles()}. */
    public static final double[] QUANTILE_LEVELS = {0, 0.25, 0.5, 0.75, 1};
    private static final ObjectMapper PARSER = new ObjectMapper();
    private static final String[] QUANTILE_FIELDS = {"grad_norm_min", "grad_norm_p25", "grad_norm_median", "grad_norm_p75", "grad_norm_max"};

    public StepResult {
        gradNormQuantiles = gradNormQuantiles == null ? nanQuantiles() : gradNormQuantiles.clone();
        if (gradNormQuantiles.length != QUANTILE_LEVELS.length) {
            throw new IllegalArgumentException("step result: expected " + QUANTILE_LEVELS.length + " quantiles, got " + gradNormQuantiles.length);
        }
    }

    /** A result without a histogram. */
    public StepResult(long step, double epoch, long batchSize, double loss, double clippedFraction, double[] gradNormQuantiles,
            double epsilon, double delta, double noiseMultiplier, double samplesPerSecond, double seconds, String privacy) {
        this(step, epoch, batchSize, loss, clippedFraction, gradNormQuantiles, null, epsilon, delta, noiseMultiplier, samplesPerSecond,
                seconds, privacy);
    }

    /** NaN at every level. */
    static double[] nanQuantiles() {
        double[] q = new double[QUANTILE_LEVELS.length];
        Arrays.fill(q, Double.NaN);
        return q;
    }

    /** The quantiles at {@link #QUANTILE_LEVELS} of {@code values} (linear interpolation, as NumPy's default). */
    static double[] quantiles(double[] values) {
        if (values.length == 0) {
            return nanQuantiles();
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double[] q = new double[QUANTILE_LEVELS.length];
        for (int i = 0; i < q.length; i++) {
            double pos = QUANTILE_LEVELS[i] * (s.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(s.length - 1, lo + 1);
            q[i] = s[lo] + (pos - lo) * (s[hi] - s[lo]);
        }
        return q;
    }

    @Override
    public double[] gradNormQuantiles() {
        return gradNormQuantiles.clone();
    }

    /** The median per-example gradient norm. */
    public double gradNormMedian() {
        return gradNormQuantiles[2];
    }

    /** One line of JSON (no line break). */
    public String toJson() {
        StringBuilder b = new StringBuilder(320).append('{');
        field(b, "step", Long.toString(step), true);
        field(b, "epoch", number(epoch), false);
        field(b, "batch_size", Long.toString(batchSize), false);
        field(b, "loss", number(loss), false);
        field(b, "clipped_fraction", number(clippedFraction), false);
        for (int i = 0; i < QUANTILE_FIELDS.length; i++) {
            field(b, QUANTILE_FIELDS[i], number(gradNormQuantiles[i]), false);
        }
        field(b, "grad_norm_histogram", histogram(gradNormHistogram), false);
        field(b, "epsilon", number(epsilon), false);
        field(b, "delta", number(delta), false);
        field(b, "noise_multiplier", number(noiseMultiplier), false);
        field(b, "samples_per_second", number(samplesPerSecond), false);
        field(b, "seconds", number(seconds), false);
        field(b, "privacy", string(privacy), false);
        return b.append('}').toString();
    }

    private static String histogram(GradNormHistogram h) {
        if (h == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("{\"edges\": [");
        double[] e = h.edges();
        for (int i = 0; i < e.length; i++) {
            b.append(i == 0 ? "" : ", ").append(number(e[i]));
        }
        b.append("], \"counts\": [");
        long[] c = h.counts();
        for (int i = 0; i < c.length; i++) {
            b.append(i == 0 ? "" : ", ").append(c[i]);
        }
        return b.append("]}").toString();
    }

    /**
     * Reads a line of {@link #toJson()} back ({@code null} numbers become NaN; a line without a
     * histogram, as written before it existed, gives none).
     *
     * @throws IllegalArgumentException naming the field if the line is not such an object
     */
    public static StepResult parse(String line) {
        JsonNode n;
        try {
            n = PARSER.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("step record: not JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("step record: expected a JSON object");
        }
        double[] q = new double[QUANTILE_FIELDS.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = real(n, QUANTILE_FIELDS[i]);
        }
        GradNormHistogram h = null;
        JsonNode hn = n.get("grad_norm_histogram");
        if (hn != null && !hn.isNull()) {
            JsonNode e = hn.get("edges");
            JsonNode c = hn.get("counts");
            if (e == null || c == null || !e.isArray() || !c.isArray()) {
                throw new IllegalArgumentException("step record: field 'grad_norm_histogram' needs arrays 'edges' and 'counts'");
            }
            double[] edges = new double[e.size()];
            for (int i = 0; i < edges.length; i++) {
                edges[i] = e.get(i).asDouble();
            }
            long[] counts = new long[c.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = c.get(i).asLong();
            }
            h = new GradNormHistogram(edges, counts);
        }
        JsonNode privacy = n.get("privacy");
        if (privacy == null || !privacy.isTextual()) {
            throw new IllegalArgumentException("step record: missing text field 'privacy'");
        }
        return new StepResult(integer(n, "step"), real(n, "epoch"), integer(n, "batch_size"), real(n, "loss"), real(n, "clipped_fraction"), q,
                h, real(n, "epsilon"), real(n, "delta"), real(n, "noise_multiplier"), real(n, "samples_per_second"), real(n, "seconds"),
                privacy.asText());
    }

    private static double real(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null) {
            throw new IllegalArgumentException("step record: missing field '" + field + "'");
        }
        if (v.isNull()) {
            return Double.NaN;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("step record: field '" + field + "' is not a number: " + v);
        }
        return v.asDouble();
    }

    private static long integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("step record: field '" + field + "' must be an integer, got " + v);
        }
        return v.asLong();
    }

    private static void field(StringBuilder b, String name, String value, boolean first) {
        b.append(first ? "" : ", ").append('"').append(name).append("\": ").append(value);
    }

    /** A JSON number (shortest round-trip form), {@code null} for NaN and infinities. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        String s = Double.toString(v);
        return s.contains("E") ? s.replace(".0E", "E").replace("E", "e") : s;
    }

    private static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepResult r && step == r.step && Double.compare(epoch, r.epoch) == 0 && batchSize == r.batchSize
                && Double.compare(loss, r.loss) == 0 && Double.compare(clippedFraction, r.clippedFraction) == 0
                && Arrays.equals(gradNormQuantiles, r.gradNormQuantiles) && Objects.equals(gradNormHistogram, r.gradNormHistogram)
                && Double.compare(epsilon, r.epsilon) == 0
                && Double.compare(delta, r.delta) == 0 && Double.compare(noiseMultiplier, r.noiseMultiplier) == 0
                && Double.compare(samplesPerSecond, r.samplesPerSecond) == 0 && Double.compare(seconds, r.seconds) == 0
                && privacy.equals(r.privacy);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(step) * 31 + Arrays.hashCode(gradNormQuantiles);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
