package dev.jacflux.bench.jmh;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.ChunkRows;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.bench.SeededData;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * The batch-Jacobian assembly of one chunk into its slot of a preallocated result
 * ({@code BatchJacobian.Job.assemble}), for the {@code scaling} shapes ({@code x (64, 512)},
 * {@code D_y = 128}, chunks of 32 rows): {@code linear} ({@code y = x W1 W2}: the chunk's rows are
 * the same for every sample, {@code [32, 1, 512]}, written with one broadcast copy) and
 * {@code tanh} ({@code y = tanh(x W1) W2}: rows {@code [32, 64, 512]}, written through a permuted
 * view).
 *
 * <pre>{@code
 * java -cp "bench/target/jacflux-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main -f 1 AssemblyBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AssemblyBenchmark {
    /** {@code linear} (rows shared by all samples) or {@code tanh} (rows per sample). */
    @Param({"linear", "tanh"})
    public String function;

    /** Rows per chunk. */
    @Param({"32"})
    public int chunkSize;

    private BatchJacobian.Job job;
    private ChunkRows rows;
    private INDArray result;

    @Setup
    public void setup() {
        INDArray x = SeededData.gaussian(1, 1.0, 64, 512);
        Tensor w1 = Tensor.constant(SeededData.gaussian(2, 1 / Math.sqrt(512), 512, 512));
        Tensor w2 = Tensor.constant(SeededData.gaussian(3, 1 / Math.sqrt(512), 512, 128));
        Function<Tensor, Tensor> f = function.equals("linear") ? v -> v.matmul(w1).matmul(w2) : v -> v.matmul(w1).tanh().matmul(w2);
        job = BatchJacobian.of(f, JacobianOptions.DEFAULT.withChunkSize(chunkSize)).prepare(x);
        rows = job.compute(job.chunks().get(1));
        result = job.allocateResult();
    }

    /** Writes the chunk's rows into their slot. */
    @Benchmark
    public INDArray assemble() {
        job.assemble(rows, result);
        return result;
    }
}
