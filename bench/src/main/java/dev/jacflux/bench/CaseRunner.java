package dev.jacflux.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Measures the methods of a case in this process: for each method, a GC, the pre-setup memory
 * baseline, the untimed setup, the warm-up runs (at full size, further ones until the warm-up has
 * taken {@link #MIN_WARMUP_NANOS}, at most {@link #MAX_WARMUPS} runs), then the timed runs, then one
 * run inside a memory window; then
 * its last result is compared with the reference method's (the group's first, {@code jacflux}).
 * The reference's setup stays open until its group is done, so its result can be compared with.
 *
 * <pre>{@code
 * CaseReport r = CaseRunner.run(new FullJacobianCase(), BenchOptions.defaults());
 * }</pre>
 */
public final class CaseRunner {
    /**
     * At full size, warm-up runs continue until they have taken this long (JIT compilation of a
     * method's code otherwise falls into its first timed runs: with 2 warm-ups the first method of
     * a case measured up to 2x slower than the same call measured second).
     */
    static final long MIN_WARMUP_NANOS = 1_000_000_000L;
    /** At most this many warm-up runs for the minimum warm-up time. */
    static final int MAX_WARMUPS = 50;

    private CaseRunner() {
    }

    /**
     * Runs every group of {@code benchCase}.
     *
     * @throws DisagreementException if a method's result differs from the reference's beyond
     *     {@link BenchOptions#relativeTolerance()} or is not finite (after all methods ran)
     * @throws BenchmarkException if a method fails, naming the case and method
     */
    public static CaseReport run(BenchCase benchCase, BenchOptions options) {
        if (options.nd4jThreads() > 0) {
            Nd4j.getEnvironment().setMaxThreads(options.nd4jThreads());
            Nd4j.getEnvironment().setMaxMasterThreads(options.nd4jThreads());
            Nd4j.factory().blas().setMaxThreads(options.nd4jThreads());
        }
        String loadAtStart = Machine.loadAverage();
        long start = System.nanoTime();
        List<MethodGroup> groups = benchCase.groups(options);
        List<MethodResult> results = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (MethodGroup g : groups) {
            runGroup(benchCase.name(), g, options, results, problems);
        }
        java.util.Map<String, String> machine = new java.util.LinkedHashMap<>(Machine.describe());
        machine.put("load_average_start", loadAtStart);
        machine.put("case_wall_seconds", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        CaseReport report = new CaseReport(benchCase.name(), benchCase.description(options.size()), options.size(), options.warmups(),
                machine, results);
        if (!problems.isEmpty()) {
            throw new DisagreementException("case " + benchCase.name() + ": methods disagree, so their timings do not compare like with like: "
                    + String.join("; ", problems), report);
        }
        return report;
    }

    private static void runGroup(String caseName, MethodGroup group, BenchOptions options, List<MethodResult> results, List<String> problems) {
        BenchMethod.Prepared refPrepared = null;
        INDArray reference = null;
        String referenceName = "";
        double referenceMax = 0;
        try {
            for (BenchMethod m : group.methods()) {
                String display = group.display(m.name());
                MemoryProbe.settle();
                MemoryProbe.Baseline base = MemoryProbe.baseline();
                BenchMethod.Prepared prepared = null;
                boolean keep = false;
                try {
                    prepared = m.prepare();
                    INDArray last = null;
                    int warmups = 0;
                    long warmupStart = System.nanoTime();
                    while (warmups < options.warmups() || (options.size() == Size.FULL && warmups > 0 && warmups < MAX_WARMUPS
                            && System.nanoTime() - warmupStart < MIN_WARMUP_NANOS)) {
                        if (options.gcBetweenRuns()) {
                            MemoryProbe.settle();
                        }
                        last = prepared.run();
                        warmups++;
                    }
                    double[] times = new double[options.runs()];
                    for (int r = 0; r < options.runs(); r++) {
                        if (options.gcBetweenRuns()) {
                            MemoryProbe.settle();
                        }
                        long t0 = System.nanoTime();
                        last = prepared.run();
                        times[r] = (System.nanoTime() - t0) / 1e6;
                    }
                    // peak memory from one more run, measured apart from the timed runs: the sampling
                    // thread competes for the 2 cores and stalls ND4J's OpenMP barriers
                    MemoryProbe.settle();
                    MemoryProbe.Window window = MemoryProbe.startWindow();
                    last = prepared.run();
                    MemoryProbe.Peak peak = window.stop(base);
                    double abs = 0;
                    double rel = 0;
                    String comparedTo = "";
                    long bad = nonFinite(last);
                    if (bad > 0) {
                        problems.add(display + " has " + bad + " non-finite values");
                        abs = Double.NaN;
                        rel = Double.NaN;
                    }
                    if (reference == null) {
                        reference = last;
                        referenceName = display;
                        referenceMax = last.amaxNumber().doubleValue();
                        refPrepared = prepared;
                        keep = true;
                    } else if (bad == 0 && group.compared()) {
                        comparedTo = referenceName;
                        abs = maxAbsDiff(display, last, referenceName, reference);
                        rel = abs / Math.max(referenceMax, Double.MIN_NORMAL);
                        if (!(rel <= options.relativeTolerance())) {
                            problems.add(String.format(Locale.ROOT, "%s differs from %s by %.3e (max |%s| = %.3e, relative %.3e > tolerance %.1e)",
                                    display, referenceName, abs, referenceName, referenceMax, rel, options.relativeTolerance()));
                        }
                    }
                    MethodResult result = new MethodResult(m.name(), group.label(), times, warmups, peak.heapBytes(),
                            peak.offHeapBytes(), peak.rssBytes(), comparedTo, abs, rel, prepared.note());
                    results.add(result);
                    if (options.progress() != null) {
                        options.progress().printf(Locale.ROOT, "%s: %-22s median %10.2f ms  (min %.2f, max %.2f)  peak %.1f MiB%s%n", caseName,
                                display, result.medianMs(), result.minMs(), result.maxMs(), result.peakBytes() / 1048576.0,
                                comparedTo.isEmpty() ? "  (reference)" : String.format(Locale.ROOT, "  max|diff| %.1e", abs));
                    }
                } catch (RuntimeException | OutOfMemoryError e) {
                    if (e instanceof BenchmarkException be) {
                        throw be;
                    }
                    throw new BenchmarkException("case " + caseName + ", method " + display + " failed: " + e, e);
                } finally {
                    if (prepared != null && !keep) {
                        prepared.close();
                    }
                }
            }
        } finally {
            if (refPrepared != null) {
                refPrepared.close();
            }
        }
    }

    /** Number of NaN and infinite entries. */
    static long nonFinite(INDArray a) {
        long nan = Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.isNan())).getLong(0);
        long inf = Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.isInfinite())).getLong(0);
        return nan + inf;
    }

    /** {@code max |a - b|} over all elements, comparing both row-major flattened. */
    static double maxAbsDiff(String aName, INDArray a, String bName, INDArray b) {
        if (a.length() != b.length()) {
            throw new BenchmarkException(aName + " gives " + a.length() + " elements " + java.util.Arrays.toString(a.shape()) + " but "
                    + bName + " gives " + b.length() + " " + java.util.Arrays.toString(b.shape()));
        }
        long n = a.length();
        INDArray fa = a.reshape('c', new long[] {n});
        INDArray fb = b.castTo(a.dataType()).reshape('c', new long[] {n});
        return Transforms.abs(fa.sub(fb), false).maxNumber().doubleValue();
    }
}
