package dev.jacflux.bench;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One way of computing a case's result, e.g. {@code jacflux}, {@code floor} or {@code loop}.
 * {@link #prepare()} does the untimed setup (allocating the reused result buffer, building a
 * graph, computing inputs the method is given for free); each call of {@link Prepared#run()} is one
 * timed run and returns the result, which must stay valid until the next run or
 * {@link Prepared#close()}.
 *
 * <pre>{@code
 * BenchMethod floor = BenchMethod.of("floor", () -> {
 *     INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 128, 128, 3072);   // setup, untimed
 *     return () -> Broadcast.copy(out, w, out, 1, 2);                           // one timed run
 * });
 * }</pre>
 *
 * @param name the base method name ({@code jacflux}, {@code jacflux-fresh}, {@code engine}, {@code via-matrix}, {@code pipeline}, {@code fanout},
 *     {@code loop}, {@code floor}, {@code samediff})
 * @param preparer the setup, returning the runnable method
 */
public record BenchMethod(String name, Preparer preparer) {

    /** The base method names, in the order the suite runs them. */
    public static final java.util.List<String> NAMES = java.util.List.of("jacflux", "jacflux-fresh", "engine", "via-matrix", "pipeline", "fanout",
            "loop", "floor", "samediff");

    public BenchMethod {
        Objects.requireNonNull(name, "method name");
        Objects.requireNonNull(preparer, "method preparer");
    }

    /** A method from its name and setup. */
    public static BenchMethod of(String name, Preparer preparer) {
        return new BenchMethod(name, preparer);
    }

    /** Runs the untimed setup. */
    public Prepared prepare() {
        return preparer.prepare();
    }

    /**
     * The untimed setup of a method.
     *
     * <pre>{@code
     * BenchMethod.Preparer p = () -> { INDArray out = Nd4j.zeros(DataType.FLOAT, 4, 4); return () -> out; };
     * }</pre>
     */
    @FunctionalInterface
    public interface Preparer {
        Prepared prepare();
    }

    /**
     * A method ready to run: buffers allocated, graphs built.
     *
     * <pre>{@code
     * try (BenchMethod.Prepared p = method.prepare()) {
     *     INDArray result = p.run();   // one timed run
     * }
     * }</pre>
     */
    @FunctionalInterface
    public interface Prepared extends AutoCloseable {

        /** One timed run; returns the result (valid until the next run or close). */
        INDArray run();

        /** A short note for the report (e.g. the number of chunks), or an empty string. */
        default String note() {
            return "";
        }

        /** Releases what the setup held (pipelines, pooled buffers). */
        @Override
        default void close() {
        }
    }
}
