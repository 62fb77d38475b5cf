package dev.jacflux.bench;

import dev.jacflux.config.PipelineConfig;
import java.io.PrintStream;
import java.util.Set;

/**
 * How a case is run: warm-up and timed runs per method, the data size, which methods to run, the
 * agreement tolerance, whether to collect garbage between runs, ND4J threads, the pipeline
 * configuration and where progress lines go.
 *
 * <pre>{@code
 * BenchOptions o = BenchOptions.defaults()            // 2 warm-up + 5 timed runs, full size
 *         .withRuns(9)
 *         .withMethods(Set.of("jacflux", "floor"))    // skip loop, pipeline, samediff
 *         .withProgress(System.err);
 * CaseReport r = BenchmarkSuite.run("scaling", o);
 * }</pre>
 *
 * @param warmups untimed runs of each method before its timed runs ({@code >= 0})
 * @param runs timed runs of each method ({@code >= 1}; the suite's figures use at least 5)
 * @param size data size of the cases
 * @param methods base method names to run ({@code jacflux}, {@code pipeline}, {@code loop},
 *     {@code floor}, {@code samediff}); {@code null} or empty means all
 * @param relativeTolerance largest allowed {@code max|a - b| / max|reference|} between a method's
 *     result and the reference method's ({@code jacflux}, or the first method run)
 * @param gcBetweenRuns run {@code System.gc()} (untimed) before every run, so that each run starts
 *     without the previous run's unreachable ND4J buffers and peak memory is that of one run
 * @param nd4jThreads if {@code > 0}, sets ND4J's and BLAS's thread counts before the case runs; 0
 *     keeps what {@code OMP_NUM_THREADS} (or ND4J's default) gave
 * @param pipelineConfig the configuration of the {@code pipeline} method (its job kind is replaced
 *     by the case's); {@code null} means {@link PipelineConfig#defaults()}
 * @param progress where one line per finished method is printed, or {@code null} for silence
 */
public record BenchOptions(int warmups, int runs, Size size, Set<String> methods, double relativeTolerance,
        boolean gcBetweenRuns, int nd4jThreads, PipelineConfig pipelineConfig, PrintStream progress) {

    /** Default warm-up runs per method. */
    public static final int DEFAULT_WARMUPS = 2;
    /** Default timed runs per method. */
    public static final int DEFAULT_RUNS = 5;
    /** Default agreement tolerance (float32 through long sums). */
    public static final double DEFAULT_RELATIVE_TOLERANCE = 1e-3;

    public BenchOptions {
        if (warmups < 0) {
            throw new IllegalArgumentException("bench options: warm-up runs must be >= 0, got " + warmups);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("bench options: timed runs must be >= 1, got " + runs);
        }
        if (size == null) {
            throw new IllegalArgumentException("bench options: size must not be null");
        }
        if (!(relativeTolerance >= 0)) {
            throw new IllegalArgumentException("bench options: relative tolerance must be >= 0, got " + relativeTolerance);
        }
        if (nd4jThreads < 0) {
            throw new IllegalArgumentException("bench options: ND4J threads must be >= 0 (0 = leave as is), got " + nd4jThreads);
        }
        methods = methods == null ? Set.of() : Set.copyOf(methods);
    }

    /** 2 warm-up and 5 timed runs, full size, all methods, tolerance 1e-3, GC between runs. */
    public static BenchOptions defaults() {
        return new BenchOptions(DEFAULT_WARMUPS, DEFAULT_RUNS, Size.FULL, Set.of(), DEFAULT_RELATIVE_TOLERANCE, true, 0, null, null);
    }

    /** Whether the method with this base name should run. */
    public boolean includes(String method) {
        return methods.isEmpty() || methods.contains(method);
    }

    public BenchOptions withWarmups(int n) {
        return new BenchOptions(n, runs, size, methods, relativeTolerance, gcBetweenRuns, nd4jThreads, pipelineConfig, progress);
    }

    public BenchOptions withRuns(int n) {
        return new BenchOptions(warmups, n, size, methods, relativeTolerance, gcBetweenRuns, nd4jThreads, pipelineConfig, progress);
    }

    public BenchOptions withSize(Size s) {
        return new BenchOptions(warmups, runs, s, methods, relativeTolerance, gcBetweenRuns, nd4jThreads, pipelineConfig, progress);
    }

    public BenchOptions withMethods(Set<String> m) {
        return new BenchOptions(warmups, runs, size, m, relativeTolerance, gcBetweenRuns, nd4jThreads, pipelineConfig, progress);
    }

    public BenchOptions withRelativeTolerance(double t) {
        return new BenchOptions(warmups, runs, size, methods, t, gcBetweenRuns, nd4jThreads, pipelineConfig, progress);
    }

    public BenchOptions withGcBetweenRuns(boolean gc) {
        return new BenchOptions(warmups, runs, size, methods, relativeTolerance, gc, nd4jThreads, pipelineConfig, progress);
    }

    public BenchOptions withNd4jThreads(int n) {
        return new BenchOptions(warmups, runs, size, methods, relativeTolerance, gcBetweenRuns, n, pipelineConfig, progress);
    }

    public BenchOptions withPipelineConfig(PipelineConfig c) {
        return new BenchOptions(warmups, runs, size, methods, relativeTolerance, gcBetweenRuns, nd4jThreads, c, progress);
    }

    public BenchOptions withProgress(PrintStream p) {
        return new BenchOptions(warmups, runs, size, methods, relativeTolerance, gcBetweenRuns, nd4jThreads, pipelineConfig, p);
    }
}
