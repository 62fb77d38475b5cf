package dev.jacflux.bench.jmh;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.bench.SeededData;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One op's VJP rule called directly with a batched cotangent {@code [K, B, n]} (K leading basis
 * rows, as in a batch-Jacobian chunk): {@code matmul} ({@code x [B, n] @ W [n, n]}, cotangent of
 * {@code x} only: {@code g @ W^T} with the leading axes flattened into one GEMM), {@code tanh}
 * ({@code g * (1 - y^2)}), and {@code matmul-shared} (the cotangent constant along the batch,
 * {@code [K, 1, n]}, as the first layer back from an identity seed sees it).
 *
 * <pre>{@code
 * java -cp "bench/target/jacflux-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main -f 1 OpVjpBenchmark -p k=64
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpVjpBenchmark {
    /** Which op: {@code matmul}, {@code matmul-shared} or {@code tanh}. */
    @Param({"matmul", "matmul-shared", "tanh"})
    public String op;

    /** Leading basis rows K. */
    @Param({"8", "64"})
    public int k;

    /** Samples B. */
    @Param({"64"})
    public int batch;

    /** Features n. */
    @Param({"512"})
    public int width;

    private Op node;
    private FixedVjpContext context;

    @Setup
    public void setup() {
        Tensor x = Tensor.variable(SeededData.gaussian(1, 1.0, batch, width));
        Tensor w = Tensor.constant(SeededData.gaussian(2, 1 / Math.sqrt(width), width, width));
        Tensor y;
        try (GradMode.Scope on = GradMode.set(true)) {
            y = op.equals("tanh") ? x.tanh() : x.matmul(w);
        }
        node = y.op();
        long rowsPerSample = op.equals("matmul-shared") ? 1 : batch;
        Tensor g = Tensor.constant(SeededData.gaussian(3, 1.0, k, rowsPerSample, width));
        context = new FixedVjpContext(y, g, new boolean[] {true, false});
    }

    /** The rule's cotangents (engine-style: no recording). */
    @Benchmark
    public List<Tensor> vjp() {
        try (GradMode.Scope off = GradMode.disable()) {
            List<Tensor> r = node.vjp(context);
            r.get(0).value();
            return r;
        }
    }
}
