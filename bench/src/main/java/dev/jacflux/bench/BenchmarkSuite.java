package dev.jacflux.bench;

import dev.jacflux.config.PipelineConfigLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The benchmark suite of {@code BENCHMARKS.md}: runs a case (or {@code all}) in this process and
 * returns its {@link CaseReport}. Also the command line ({@link #main}, and {@link #cli} for a
 * launcher such as {@code bin/jacflux bench} to delegate to).
 *
 * <p>Cases: {@code conv-jacobian}, {@code mlp-grads}, {@code scaling}, {@code full-jac},
 * {@code hessian}, {@code lenet-jacobian}, {@code lenet-grads}, {@code lenet-norms}, the same three
 * for a second conv net, {@code cnn-*} ({@link ConvNet}), and {@code dp-step}; {@code all} runs them in
 * that order. Methods of a case: {@code jacflux} (the library call into a reused result buffer),
 * {@code jacflux-fresh} (the same call without an output buffer, as users call it first), {@code pipeline} (the same through
 * {@code JacobianPipeline}, one batch per run, result released to the pool), {@code loop} (one
 * backward pass per output row, or per sample, with the same engine), {@code floor} (the least work
 * that produces the result, see {@link Floors}) and, for {@code conv-jacobian}, {@code samediff}.
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("full-jac", BenchOptions.defaults().withProgress(System.err));
 * System.out.println(r.toTable());
 * Files.writeString(Path.of("full-jac.json"), r.toJson());
 *
 * List<CaseReport> all = BenchmarkSuite.runAll(BenchOptions.defaults());
 * String json = BenchmarkSuite.toJson(all);   // {"case": "all", "cases": [...]}
 *
 * // command line: java -cp ... dev.jacflux.bench.BenchmarkSuite --case scaling --json scaling.json
 * }</pre>
 */
public final class BenchmarkSuite {
    /** The case names, in the order {@code all} runs them. */
    public static final List<String> CASES = List.of("conv-jacobian", "mlp-grads", "scaling", "full-jac", "hessian",
            "lenet-jacobian", "lenet-grads", "lenet-norms", "cnn-jacobian", "cnn-grads", "cnn-norms", "dp-step");
    /** The name that runs every case. */
    public static final String ALL = "all";

    private BenchmarkSuite() {
    }

    /** The case with this name. */
    public static BenchCase caseNamed(String name) {
        Supplier<BenchCase> s = switch (name) {
            case "conv-jacobian" -> ConvJacobianCase::new;
            case "mlp-grads" -> MlpGradsCase::new;
            case "scaling" -> ScalingCase::new;
            case "full-jac" -> FullJacobianCase::new;
            case "hessian" -> HessianCase::new;
            case "lenet-jacobian" -> () -> new ConvNetJacobianCase(ConvNet.LENET);
            case "lenet-grads" -> () -> new ConvNetGradsCase(ConvNet.LENET);
            case "lenet-norms" -> () -> new ConvNetNormsCase(ConvNet.LENET);
            case "cnn-jacobian" -> () -> new ConvNetJacobianCase(ConvNet.CNN);
            case "cnn-grads" -> () -> new ConvNetGradsCase(ConvNet.CNN);
            case "cnn-norms" -> () -> new ConvNetNormsCase(ConvNet.CNN);
            case "dp-step" -> DpStepCase::new;
            default -> throw new BenchmarkException("unknown benchmark case '" + name + "'; cases are " + String.join(", ", CASES)
                    + " and " + ALL);
        };
        return s.get();
    }

    /**
     * Runs one case (not {@code all}, see {@link #runAll}).
     *
     * @throws BenchmarkException for an unknown case or a method that fails
     * @throws DisagreementException if a method's result disagrees with the reference's
     */
    public static CaseReport run(String caseName, BenchOptions options) {
        if (ALL.equals(caseName)) {
            throw new BenchmarkException("run(\"all\") would return several reports; use runAll or runCases");
        }
        BenchCase c = caseNamed(caseName);
        return onMeasurementThread(() -> CaseRunner.run(c, options));
    }

    /**
     * Runs {@code work} on a dedicated thread that did not initialise ND4J. Measured here: with 2
     * ND4J threads, the same mid-sized calls took 20-40 ms on the thread that first used ND4J (the
     * JVM's main thread) and 20-23 ms on any other thread; the pipeline's rails are such other
     * threads. Measuring every method on one such thread compares them on equal terms.
     */
    static <T> T onMeasurementThread(java.util.function.Supplier<T> work) {
        org.nd4j.linalg.factory.Nd4j.scalar(0f);   // make sure ND4J is initialised by the calling thread
        java.util.concurrent.atomic.AtomicReference<T> result = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(work.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "jacflux-bench");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchmarkException("interrupted while measuring");
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new BenchmarkException(e.getMessage());
        }
        return result.get();
    }

    /** Runs every case, in {@link #CASES} order. */
    public static List<CaseReport> runAll(BenchOptions options) {
        return runCases(ALL, options);
    }

    /** Runs one case, or every case for {@code all}. */
    public static List<CaseReport> runCases(String caseName, BenchOptions options) {
        List<String> names = ALL.equals(caseName) ? CASES : List.of(caseName);
        for (String n : names) {
            caseNamed(n);
        }
        List<CaseReport> reports = new ArrayList<>();
        for (String n : names) {
            reports.add(run(n, options));
        }
        return reports;
    }

    /**
     * One report's JSON, or for several {@code {"case": "all", "cases": [report, ...]}}.
     */
    public static String toJson(List<CaseReport> reports) {
        if (reports.size() == 1) {
            return reports.get(0).toJson();
        }
        StringBuilder b = new StringBuilder("{\n  \"case\": \"all\",\n  \"cases\": [");
        for (int i = 0; i < reports.size(); i++) {
            b.append(i == 0 ? "\n    " : ",\n    ");
            reports.get(i).appendJson(b, "    ");
        }
        return b.append("\n  ]\n}\n").toString();
    }

    /**
     * Runs the command line ({@link BenchCommand}): prints the table(s) to {@code out}, progress
     * and errors to {@code err}, writes JSON if asked. Returns the exit status (0 ok, 1
     * disagreement, 2 usage or failure).
     */
    public static int cli(String[] args, PrintStream out, PrintStream err) {
        return BenchCommand.commandLine(out, err).execute(args);
    }

    /**
     * Runs the named case (or {@code all}) with {@code options}, printing each table to {@code out}
     * and problems to {@code err}; writes the JSON report to {@code json} if not null. Returns the
     * exit status (0 ok, 1 a method disagreed, 2 a failure).
     */
    public static int runAndReport(String caseName, BenchOptions options, Path json, PrintStream out, PrintStream err) {
        List<CaseReport> reports = new ArrayList<>();
        int status = 0;
        try {
            for (String n : ALL.equals(caseName) ? CASES : List.of(caseName)) {
                caseNamed(n);
            }
            for (String n : ALL.equals(caseName) ? CASES : List.of(caseName)) {
                try {
                    CaseReport r = run(n, options);
                    reports.add(r);
                    out.println(r.toTable());
                } catch (DisagreementException e) {
                    reports.add(e.report());
                    out.println(e.report().toTable());
                    err.println("bench: " + e.getMessage());
                    status = 1;
                }
            }
        } catch (BenchmarkException e) {
            err.println("bench: " + e.getMessage());
            status = 2;
        }
        if (json != null && !reports.isEmpty()) {
            try {
                Files.writeString(json, toJson(reports));
            } catch (IOException e) {
                err.println("bench: cannot write " + json + ": " + e.getMessage());
                return 2;
            }
        }
        return status;
    }

    static Set<String> methods(String list) {
        Set<String> m = new LinkedHashSet<>(Arrays.asList(list.split(",")));
        m.removeIf(String::isBlank);
        for (String s : m) {
            if (!BenchMethod.NAMES.contains(s)) {
                throw new IllegalArgumentException("unknown method '" + s + "'; methods are " + String.join(", ", BenchMethod.NAMES));
            }
        }
        return m;
    }

    /** Command line entry point; see {@link BenchCommand} ({@code --help}). */
    public static void main(String[] args) {
        int status = cli(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }
}
