package dev.jacflux.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ratios of methods to the reference ({@code jacflux}) measured in interleaved rounds: each round
 * runs every method once, in turn, each after an untimed GC, so that a change of machine load hits
 * all methods alike. The suite ({@link CaseRunner}) runs each method's runs back to back, which on
 * a shared machine lets the load change between one method and the next (and the first method
 * also pays for the JIT's warm-up); a ratio from one round compares like with like. Reports each
 * method's median time, the median over rounds of its time divided by the reference's in the same
 * round, and its agreement with the reference. With {@code OMP_NUM_THREADS=1} every native op runs
 * on the Java thread that calls it, so the CPU time of the measurement thread and the pipeline's
 * rails ({@code jacflux-*} threads) is the work a method does, whatever the load: the report gives
 * its median and median paired ratio too (with more ND4J threads, OpenMP's own threads are not
 * counted). The {@code pipeline} and {@code fanout} methods get
 * the configuration {@code bin/jacflux bench} gives them (the file in {@code JACFLUX_*} variables,
 * else defaults with a 4 GiB budget for {@code pipeline}).
 *
 * <pre>{@code
 * Interleaved.Report r = Interleaved.run("conv-jacobian", Size.FULL, List.of("jacflux", "pipeline", "fanout"), 3, 31);
 * System.out.println(r.table());
 * // command line (after bin/jacflux --version has built the jars):
 * // java -cp "cli/target/lib/*" dev.jacflux.bench.Interleaved conv-jacobian jacflux,pipeline,fanout 31
 * }</pre>
 */
public final class Interleaved {
    private Interleaved() {
    }

    /**
     * One method's figures.
     *
     * @param method display name (with the group label, e.g. {@code pipeline[D_y=8]})
     * @param medianMs median wall time of its runs
     * @param ratio median over rounds of its time over the reference's time in the same round (1 for the reference)
     * @param cpuMs median CPU time of the {@code jacflux-*} threads (measurement thread, rails) per run
     * @param cpuRatio median over rounds of its CPU time over the reference's in the same round
     * @param maxRelDiff max |result - reference| / max |reference| of the last round
     * @param note the method's note (chunks, rails)
     */
    public record Figures(String method, double medianMs, double ratio, double cpuMs, double cpuRatio, double maxRelDiff, String note) {
    }

    /**
     * A case's figures, with the machine and the load average at the start and the end.
     *
     * @param caseName the case
     * @param rounds timed rounds
     * @param machine {@link Machine#describe()} at the end, plus {@code load_average_start}
     * @param figures one entry per method (and group)
     */
    public record Report(String caseName, int rounds, java.util.Map<String, String> machine, List<Figures> figures) {
        /** The figures as a table under the machine line of the suite's reports. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append("case ").append(caseName).append(", ").append(rounds).append(" interleaved rounds; machine: ")
                    .append(Machine.summary(machine)).append('\n');
            b.append(String.format(Locale.ROOT, "%-22s %10s %12s %10s %12s %10s  %s%n", "method", "median ms", "x reference", "cpu ms",
                    "cpu x ref", "rel diff", "note"));
            for (Figures f : figures) {
                b.append(String.format(Locale.ROOT, "%-22s %10.2f %12.3f %10.2f %12.3f %10.1e  %s%n", f.method(), f.medianMs(), f.ratio(),
                        f.cpuMs(), f.cpuRatio(), f.maxRelDiff(), f.note()));
            }
            return b.toString();
        }
    }

    /**
     * Measures {@code methods} of a case (the group's first is the reference) in {@code rounds}
     * interleaved rounds after {@code warmups} rounds, on a thread that did not initialise ND4J.
     */
    public static Report run(String caseName, Size size, List<String> methods, int warmups, int rounds) {
        if (rounds < 1 || warmups < 0) {
            throw new BenchmarkException("interleaved: rounds must be >= 1 and warm-up rounds >= 0, got " + rounds + " and " + warmups);
        }
        BenchCase c = BenchmarkSuite.caseNamed(caseName);
        BenchOptions options = BenchOptions.defaults().withSize(size).withMethods(new LinkedHashSet<>(methods))
                .withPipelineConfig(BenchCommand.pipelineConfig(null, System.getenv()));
        String loadAtStart = Machine.loadAverage();
        List<Figures> figures = BenchmarkSuite.onMeasurementThread(() -> {
            List<Figures> out = new ArrayList<>();
            for (MethodGroup g : c.groups(options)) {
                out.addAll(measure(g, warmups, rounds));
            }
            return out;
        });
        java.util.Map<String, String> machine = new java.util.LinkedHashMap<>(Machine.describe());
        machine.put("load_average_start", loadAtStart);
        return new Report(caseName, rounds, machine, figures);
    }

    private static List<Figures> measure(MethodGroup group, int warmups, int rounds) {
        List<BenchMethod> methods = group.methods();
        List<BenchMethod.Prepared> prepared = new ArrayList<>();
        try {
            for (BenchMethod m : methods) {
                prepared.add(m.prepare());
            }
            int n = methods.size();
            double[][] ms = new double[n][rounds];
            double[][] cpu = new double[n][rounds];
            INDArray[] last = new INDArray[n];
            long[] workers = {};
            for (int r = -warmups; r < rounds; r++) {
                if (r == 0) {
                    workers = workerThreads();   // the rails exist once each method has run
                }
                for (int m = 0; m < n; m++) {
                    MemoryProbe.settle();
                    long c0 = cpuNanos(workers);
                    long t0 = System.nanoTime();
                    last[m] = prepared.get(m).run();
                    long t1 = System.nanoTime();
                    long c1 = cpuNanos(workers);
                    if (r >= 0) {
                        ms[m][r] = (t1 - t0) / 1e6;
                        cpu[m][r] = (c1 - c0) / 1e6;
                    }
                }
            }
            double refMax = last[0].amaxNumber().doubleValue();
            List<Figures> out = new ArrayList<>();
            for (int m = 0; m < n; m++) {
                double[] ratios = new double[rounds];
                double[] cpuRatios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = ms[m][r] / ms[0][r];
                    cpuRatios[r] = cpu[m][r] / Math.max(cpu[0][r], 1e-9);
                }
                double rel = m == 0 ? 0 : CaseRunner.maxAbsDiff(methods.get(m).name(), last[m], methods.get(0).name(), last[0])
                        / Math.max(refMax, Double.MIN_NORMAL);
                out.add(new Figures(group.display(methods.get(m).name()), median(ms[m]), median(ratios), median(cpu[m]), median(cpuRatios), rel,
                        prepared.get(m).note()));
            }
            return out;
        } finally {
            for (BenchMethod.Prepared p : prepared) {
                p.close();
            }
        }
    }

    /** The ids of the threads that run methods: the measurement thread and the pipeline's rails ({@code jacflux-*}). */
    private static long[] workerThreads() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return Arrays.stream(mx.getThreadInfo(mx.getAllThreadIds())).filter(t -> t != null && t.getThreadName().startsWith("jacflux-"))
                .mapToLong(ThreadInfo::getThreadId).toArray();
    }

    /** Their CPU time so far. */
    private static long cpuNanos(long[] threads) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * {@code java -cp ... dev.jacflux.bench.Interleaved CASE [METHODS [ROUNDS [WARMUPS]]]}, e.g.
     * {@code conv-jacobian jacflux,pipeline,fanout 31 3}; prints the {@link Report#table()}.
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: Interleaved CASE [METHODS (default jacflux,pipeline,fanout) [ROUNDS (default 31) [WARMUPS (default 3)]]]");
            System.exit(2);
        }
        List<String> methods = args.length > 1 ? List.of(args[1].split(",")) : List.of("jacflux", "pipeline", "fanout");
        Set<String> known = Set.copyOf(BenchMethod.NAMES);
        for (String m : methods) {
            if (!known.contains(m)) {
                System.err.println("interleaved: unknown method '" + m + "'; methods are " + String.join(", ", BenchMethod.NAMES));
                System.exit(2);
            }
        }
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 31;
        int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        System.out.print(run(args[0], Size.FULL, methods, warmups, rounds).table());
        System.exit(0);
    }
}
