package dev.jacflux.bench.jmh;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.bench.SeededData;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.JobDefinitions;
import dev.jacflux.pipeline.PipelineResult;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pipeline's per-batch overhead on a small job: the batch Jacobian of
 * {@code tanh(x W1) W2} with {@code x (16, 64)}, {@code D_y = 32}, split into chunks of
 * {@code chunkSize} rows ({@code 8}: 4 chunks fanned out over the rails; {@code 0}: one chunk).
 * {@code pipeline} processes one batch and releases its result; {@code direct} runs the same
 * staged job sequentially into a reused buffer. Their difference is the fan-out's cost.
 *
 * <pre>{@code
 * java -cp "bench/target/jacflux-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main -f 1 PipelineFanOutBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PipelineFanOutBenchmark {
    /** Rows per chunk; 0 = one chunk. */
    @Param({"8", "0"})
    public int chunkSize;

    /** Rails of the pipeline. */
    @Param({"2"})
    public int parallelism;

    private JacobianPipeline pipeline;
    private BatchJacobian direct;
    private Batch batch;
    private INDArray x;
    private INDArray out;

    @Setup(Level.Trial)
    public void setup() {
        x = SeededData.gaussian(1, 1.0, 16, 64);
        Tensor w1 = Tensor.constant(SeededData.gaussian(2, 0.125, 64, 64));
        Tensor w2 = Tensor.constant(SeededData.gaussian(3, 0.125, 64, 32));
        Function<Tensor, Tensor> f = v -> v.matmul(w1).tanh().matmul(w2);
        PipelineConfig config = PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).chunkSize(chunkSize).parallelism(parallelism).build();
        pipeline = JacobianPipeline.create(config, JobDefinitions.batchJacobian(f));
        direct = BatchJacobian.of(f, JacobianOptions.DEFAULT.withChunkSize(chunkSize));
        batch = Batch.of("fan-out", x);
        out = direct.prepare(x).allocateResult();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pipeline.close();
    }

    /** One batch through the pipeline, result released to the pool. */
    @Benchmark
    public long pipeline() {
        PipelineResult r = pipeline.processOne(batch).block();
        JacobianResult ok = (JacobianResult) r;
        long n = ok.array().length();
        ok.release();
        return n;
    }

    /** The same chunks run sequentially by the library call into a reused buffer. */
    @Benchmark
    public INDArray direct() {
        return direct.compute(x, out);
    }
}
