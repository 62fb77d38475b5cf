package dev.jacflux.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one case from one process: every method of every group, the machine, and the
 * settings. {@link #toJson()} gives the machine-readable form written by {@code --json FILE};
 * {@link #toTable()} the console table with ratios to {@code floor} and {@code loop} of the same
 * group.
 *
 * <p>JSON shape (fields beyond {@code case}, {@code results[].method}, {@code median_ms},
 * {@code min_ms}, {@code max_ms}, {@code runs} and {@code peak_bytes} are additions):
 * <pre>{@code
 * {"case": "full-jac", "description": "...", "size": "full", "warmups": 2, "machine": {"cores": "2", ...},
 *  "results": [{"method": "jacflux", "base_method": "jacflux", "group": "", "median_ms": 12.1, "min_ms": 11.8,
 *               "max_ms": 13.0, "runs": 5, "times_ms": [...], "peak_bytes": 8388608, "peak_heap_bytes": ...,
 *               "peak_offheap_bytes": ..., "peak_rss_bytes": ..., "ratio_to_floor": 2.9, "ratio_to_loop": 0.1,
 *               "compared_to": "", "max_abs_diff": 0, "max_rel_diff": 0, "note": "1 chunk"}, ...]}
 * }</pre>
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("hessian", BenchOptions.defaults());
 * System.out.println(r.toTable());
 * Files.writeString(Path.of("hessian.json"), r.toJson());
 * double vsFloor = r.ratio("jacflux", "floor");
 * }</pre>
 *
 * @param caseName the case, e.g. {@code hessian}
 * @param description what the case computes at this size
 * @param size the data size
 * @param warmups warm-up runs per method (at full size, more until they have taken 1 s)
 * @param machine see {@link Machine#describe()}
 * @param results one entry per method and group, in run order
 */
public record CaseReport(String caseName, String description, Size size, int warmups, Map<String, String> machine,
        List<MethodResult> results) {

    public CaseReport {
        machine = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(machine));
        results = List.copyOf(results);
    }

    /** The result with this display name ({@code jacflux}, {@code jacflux[D_y=8]}). */
    public MethodResult result(String display) {
        return results.stream().filter(r -> r.display().equals(display)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("case " + caseName + " has no result '" + display + "'; it has "
                        + results.stream().map(MethodResult::display).toList()));
    }

    /** The group labels, in run order (one empty label for single-group cases). */
    public List<String> groups() {
        List<String> g = new ArrayList<>();
        for (MethodResult r : results) {
            if (!g.contains(r.group())) {
                g.add(r.group());
            }
        }
        return g;
    }

    /**
     * Median of {@code method} over median of {@code base}, both of the same group (for a
     * multi-group case, pass display names such as {@code jacflux[D_y=8]}); NaN if either is missing.
     */
    public double ratio(String method, String base) {
        MethodResult m = find(method);
        if (m == null) {
            return Double.NaN;
        }
        MethodResult b = find(m.group().isEmpty() ? base : base + "[" + m.group() + "]");
        if (b == null) {
            b = find(base);
        }
        return b == null || b.medianMs() <= 0 ? Double.NaN : m.medianMs() / b.medianMs();
    }

    private MethodResult find(String display) {
        return results.stream().filter(r -> r.display().equals(display)).findFirst().orElse(null);
    }

    /** Ratio of a result's median to the median of {@code base} in its group. */
    private double ratioInGroup(MethodResult r, String base) {
        for (MethodResult b : results) {
            if (b.group().equals(r.group()) && b.method().equals(base)) {
                return b.medianMs() <= 0 ? Double.NaN : r.medianMs() / b.medianMs();
            }
        }
        return Double.NaN;
    }

    /** The report as JSON (see the class description for its fields). */
    public String toJson() {
        StringBuilder b = new StringBuilder();
        appendJson(b, "");
        return b.append('\n').toString();
    }

    void appendJson(StringBuilder b, String indent) {
        String in = indent + "  ";
        b.append("{\n");
        b.append(in).append("\"case\": ").append(Json.string(caseName)).append(",\n");
        b.append(in).append("\"description\": ").append(Json.string(description)).append(",\n");
        b.append(in).append("\"size\": ").append(Json.string(size.name().toLowerCase(Locale.ROOT))).append(",\n");
        b.append(in).append("\"warmups\": ").append(warmups).append(",\n");
        b.append(in).append("\"machine\": {");
        int k = 0;
        for (Map.Entry<String, String> e : machine.entrySet()) {
            b.append(k++ == 0 ? "" : ", ").append(Json.string(e.getKey())).append(": ").append(Json.string(e.getValue()));
        }
        b.append("},\n");
        b.append(in).append("\"results\": [");
        for (int i = 0; i < results.size(); i++) {
            MethodResult r = results.get(i);
            b.append(i == 0 ? "\n" : ",\n").append(in).append("  {");
            field(b, "method", Json.string(r.display()), true);
            field(b, "base_method", Json.string(r.method()), false);
            field(b, "group", Json.string(r.group()), false);
            field(b, "median_ms", Json.number(r.medianMs()), false);
            field(b, "min_ms", Json.number(r.minMs()), false);
            field(b, "max_ms", Json.number(r.maxMs()), false);
            field(b, "runs", Integer.toString(r.runs()), false);
            StringBuilder times = new StringBuilder("[");
            for (int t = 0; t < r.timesMs().length; t++) {
                times.append(t == 0 ? "" : ", ").append(Json.number(r.timesMs()[t]));
            }
            field(b, "times_ms", times.append(']').toString(), false);
            field(b, "peak_bytes", Long.toString(r.peakBytes()), false);
            field(b, "peak_heap_bytes", Long.toString(r.peakHeapBytes()), false);
            field(b, "peak_offheap_bytes", Long.toString(r.peakOffHeapBytes()), false);
            field(b, "peak_rss_bytes", Long.toString(r.peakRssBytes()), false);
            field(b, "ratio_to_floor", Json.number(ratioInGroup(r, "floor")), false);
            field(b, "ratio_to_loop", Json.number(ratioInGroup(r, "loop")), false);
            field(b, "compared_to", Json.string(r.comparedTo()), false);
            field(b, "max_abs_diff", Json.number(r.maxAbsDiff()), false);
            field(b, "max_rel_diff", Json.number(r.maxRelDiff()), false);
            field(b, "note", Json.string(r.note()), false);
            b.append('}');
        }
        b.append('\n').append(in).append("]\n").append(indent).append('}');
    }

    private static void field(StringBuilder b, String name, String value, boolean first) {
        b.append(first ? "" : ", ").append('"').append(name).append("\": ").append(value);
    }

    /** The console table: one row per method, ratios to {@code floor} and {@code loop} of its group. */
    public String toTable() {
        StringBuilder b = new StringBuilder();
        b.append("case ").append(caseName).append(" (").append(size.name().toLowerCase(Locale.ROOT)).append("): ").append(description)
                .append('\n');
        b.append("machine: ").append(Machine.summary(machine)).append('\n');
        int runs = results.isEmpty() ? 0 : results.get(0).runs();
        b.append("runs: ").append(warmups).append(size == Size.FULL && warmups > 0 ? " or more warm-up (at least 1 s) + " : " warm-up + ").append(runs)
                .append(" timed per method (GC settled before each); peak = heap + off-heap of one further run (").append(machine.get("memory_probe"))
                .append(", malloc mmap threshold ").append(machine.getOrDefault("malloc_mmap_threshold", "?")).append("); case took ")
                .append(machine.getOrDefault("case_wall_seconds", "?")).append(" s\n");
        String header = String.format(Locale.ROOT, "%-22s %10s %10s %10s %4s %8s %8s %10s %10s %10s  %-9s %s", "method", "median ms",
                "min ms", "max ms", "runs", "x floor", "x loop", "peak MiB", "heap MiB", "offheap", "max|diff|", "note");
        b.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        for (MethodResult r : results) {
            b.append(String.format(Locale.ROOT, "%-22s %10.2f %10.2f %10.2f %4d %8s %8s %10.1f %10.1f %10.1f  %-9s %s", r.display(),
                    r.medianMs(), r.minMs(), r.maxMs(), r.runs(), ratioText(ratioInGroup(r, "floor")), ratioText(ratioInGroup(r, "loop")),
                    mib(r.peakBytes()), mib(r.peakHeapBytes()), mib(r.peakOffHeapBytes()),
                    r.comparedTo().isEmpty() ? "(ref)" : String.format(Locale.ROOT, "%.1e", r.maxAbsDiff()), r.note()));
            b.append('\n');
        }
        return b.toString();
    }

    private static String ratioText(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
