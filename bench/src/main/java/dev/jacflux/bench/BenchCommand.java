package dev.jacflux.bench;

import dev.jacflux.config.PipelineConfigLoader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jacflux bench}: runs the benchmark cases of BENCHMARKS.md and prints a table per case
 * with ratios to {@code floor} and {@code loop}; {@code --json FILE} also writes the report.
 * {@code bin/jacflux bench} and {@link BenchmarkSuite#main} both run this command.
 *
 * <pre>{@code
 * int status = BenchCommand.commandLine(System.out, System.err).execute("--case", "conv-jacobian", "--json", "conv.json");
 * }</pre>
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the benchmark cases of BENCHMARKS.md. Methods: jacflux (the library",
            "call into a reused buffer), jacflux-fresh (the same without a buffer), engine (the",
            "engine's generic per-sample route), via-matrix (norms from the matrix), pipeline (the",
            "same through the reactive pipeline, one chunk), fanout (the pipeline at its default",
            "memory budget: several chunks on the rails), loop (one backward",
            "pass per output row), floor (the least work that produces the result) and,",
            "for conv-jacobian, samediff. Reports median, min and max of the timed runs,",
            "peak memory, and ratios to floor and loop."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all methods agree", "1:a method's result disagrees with the library's", "2:bad arguments or a failure"},
        footerHeading = "%nExamples:%n",
        footer = {"  bin/jacflux bench --case conv-jacobian",
            "  bin/jacflux bench --case all --json bench-results/all.json",
            "  bin/jacflux bench --case mlp-grads --methods jacflux,floor --runs 9"})
public final class BenchCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Option(names = "--case", required = true, paramLabel = "NAME",
            description = "conv-jacobian, mlp-grads, scaling, full-jac, hessian, lenet-jacobian, lenet-grads, lenet-norms,"
                    + " cnn-jacobian, cnn-grads, cnn-norms, dp-step or all")
    String caseName;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report(s) as JSON to FILE")
    Path json;

    @Option(names = {"--warmup", "--warmups"}, paramLabel = "N", description = "untimed runs per method (default: ${DEFAULT-VALUE})")
    int warmups = BenchOptions.DEFAULT_WARMUPS;

    @Option(names = "--runs", paramLabel = "N", description = "timed runs per method, at least 1 (default: ${DEFAULT-VALUE})")
    int runs = BenchOptions.DEFAULT_RUNS;

    @Option(names = "--size", paramLabel = "full|tiny", description = "data size (default full; tiny is for smoke tests)")
    String size = "full";

    @Option(names = "--methods", paramLabel = "a,b", description = "only these methods (jacflux, jacflux-fresh, engine, via-matrix, pipeline, fanout,"
            + " loop, floor, samediff)")
    String methods;

    @Option(names = "--threads", paramLabel = "N", description = "ND4J/BLAS threads (default: as OMP_NUM_THREADS gives)")
    Integer threads;

    @Option(names = "--rtol", paramLabel = "X",
            description = "agreement tolerance, relative to max|reference| (default: ${DEFAULT-VALUE})")
    double rtol = BenchOptions.DEFAULT_RELATIVE_TOLERANCE;

    @Option(names = "--no-gc", description = "do not collect garbage between runs")
    boolean noGc;

    @Option(names = "--pipeline-config", paramLabel = "FILE",
            description = {"configuration of the pipeline method (.properties/.yaml; JACFLUX_* variables apply);",
                "without it or JACFLUX_MEMORY_BUDGET the pipeline's memory budget is 4GiB"})
    Path pipelineConfig;

    @Option(names = {"-q", "--quiet"}, description = "no progress lines on stderr")
    boolean quiet;

    /** A command printing to the given streams. */
    public BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** A command printing to standard output and error (for picocli's subcommand wiring). */
    public BenchCommand() {
        this(System.out, System.err);
    }

    /** The budget the pipeline method gets unless a file or JACFLUX_MEMORY_BUDGET sets one. */
    static final String PIPELINE_BUDGET = "4GiB";

    /**
     * The pipeline method's configuration: the file and the environment as given; without either
     * setting a memory budget, the budget is {@value #PIPELINE_BUDGET}, so that the pipeline plans
     * the same single chunk as the direct call and the comparison measures the pipeline itself
     * (with the 512MiB default it splits conv-jacobian into 5 chunks; docs/benchmarks.md has both).
     */
    static dev.jacflux.config.PipelineConfig pipelineConfig(Path file, java.util.Map<String, String> environment) {
        if (file != null) {
            return PipelineConfigLoader.load(file, environment);
        }
        dev.jacflux.config.PipelineConfig c = PipelineConfigLoader.load(environment);
        return environment.containsKey("JACFLUX_MEMORY_BUDGET") ? c : c.toBuilder().memoryBudget(PIPELINE_BUDGET).build();
    }

    /** The picocli command line for this command, printing to the given streams. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new BenchCommand(out, err));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    @Override
    public Integer call() {
        BenchOptions options;
        try {
            options = BenchOptions.defaults().withProgress(quiet ? null : err)
                    .withPipelineConfig(pipelineConfig(pipelineConfig, System.getenv()))
                    .withWarmups(warmups).withRuns(runs).withSize(Size.parse(size)).withRelativeTolerance(rtol)
                    .withGcBetweenRuns(!noGc);
            if (methods != null) {
                Set<String> m = BenchmarkSuite.methods(methods);
                options = options.withMethods(m);
            }
            if (threads != null) {
                options = options.withNd4jThreads(threads);
            }
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            return 2;
        }
        return BenchmarkSuite.runAndReport(caseName, options, json, out, err);
    }
}
