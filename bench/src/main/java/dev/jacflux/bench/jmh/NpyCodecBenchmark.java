package dev.jacflux.bench.jmh;

import dev.jacflux.bench.SeededData;
import dev.jacflux.model.io.Npz;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
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
 * {@code .npy} bytes to an array and back ({@link Npz#fromNpy(byte[], String)},
 * {@link Npz#toNpy(INDArray)}), what the Kafka worker does for every record and the service for
 * every request batch: {@code 64x784} is the worker scaling case's input (64 samples of
 * {@code [784]}, float32, 200 KiB), {@code 64x50000} a per-sample gradient result (12.8 MB).
 *
 * <pre>{@code
 * java -cp "bench/target/jacflux-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main -f 1 NpyCodecBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NpyCodecBenchmark {
    /** Rows x columns of the float32 array. */
    @Param({"64x784", "64x50000"})
    public String shape;

    private INDArray array;
    private byte[] npy;

    @Setup
    public void setup() {
        String[] rc = shape.split("x");
        array = SeededData.gaussian(7, 1.0, Long.parseLong(rc[0]), Long.parseLong(rc[1])).castTo(DataType.FLOAT);
        npy = Npz.toNpy(array);
    }

    /**
     * The bytes of a record to an array, whose native memory is then released (as a batch's is when
     * it is done; left to the garbage collector, the freeing would dominate and vary).
     */
    @Benchmark
    public double decode() {
        INDArray a = Npz.fromNpy(npy, "record");
        double first = a.getDouble(0);
        a.close();
        return first;
    }

    /** An array to the bytes of a record. */
    @Benchmark
    public byte[] encode() {
        return Npz.toNpy(array);
    }
}
