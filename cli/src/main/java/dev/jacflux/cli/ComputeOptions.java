package dev.jacflux.cli;

import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.config.ByteSize;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Options of every computing command: {@code --dtype}, {@code --chunk-size},
 * {@code --memory-budget}, {@code --threads}. Invalid values are usage errors (exit code 2) with a
 * message naming the option.
 *
 * <pre>{@code
 * jacflux jacobian ... --dtype float64 --chunk-size 16 --memory-budget 1GiB --threads 2
 * }</pre>
 *
 * <p>In Java:
 * <pre>{@code
 * @Mixin ComputeOptions compute;
 * compute.applyThreads();
 * JacobianOptions o = compute.jacobianOptions();   // chunk size and budget
 * DataType dt = compute.dtype();                  // FLOAT or DOUBLE
 * }</pre>
 */
public final class ComputeOptions {
    /** The default of {@code --memory-budget}. */
    public static final String DEFAULT_MEMORY_BUDGET = "512MiB";

    @Option(names = "--dtype", paramLabel = "float32|float64", defaultValue = "float32", converter = DtypeConverter.class,
            description = "Precision of the computation and of the output files (default: ${DEFAULT-VALUE}).")
    DataType dtype;

    @Option(names = "--chunk-size", paramLabel = "N", converter = NonNegativeLong.class,
            description = "Rows (output elements, or samples for per-sample jobs) per reverse pass; 0 or absent = as many as"
                    + " --memory-budget allows.")
    Long chunkSize;

    @Option(names = "--memory-budget", paramLabel = "SIZE", defaultValue = DEFAULT_MEMORY_BUDGET, converter = ByteSizeConverter.class,
            description = "Working memory of one reverse pass, e.g. 256MiB, 2GB, 1g; 0 = no limit (default: ${DEFAULT-VALUE}).")
    ByteSize memoryBudget;

    @Option(names = "--threads", paramLabel = "N", converter = PositiveInt.class,
            description = "Threads ND4J (OpenMP, BLAS) may use; bin/jacflux also sets OMP_NUM_THREADS to N.")
    Integer threads;

    /** FLOAT or DOUBLE. */
    public DataType dtype() {
        return dtype;
    }

    /** {@code float32} or {@code float64}. */
    public String dtypeName() {
        return dtype == DataType.DOUBLE ? "float64" : "float32";
    }

    /** Rows per pass, 0 = automatic. */
    public long chunkSize() {
        return chunkSize == null ? 0 : chunkSize;
    }

    /** Whether {@code --chunk-size} was given with a positive value. */
    public boolean chunkSizeGiven() {
        return chunkSize != null && chunkSize > 0;
    }

    /** The budget in bytes, 0 = unlimited. */
    public long memoryBudgetBytes() {
        return memoryBudget.bytes();
    }

    /** The threads option, or 0 when not given. */
    public int threads() {
        return threads == null ? 0 : threads;
    }

    /** Options for Jacobian and Hessian transforms. */
    public JacobianOptions jacobianOptions() {
        return JacobianOptions.DEFAULT.withChunkSize(chunkSize()).withMemoryBudget(memoryBudgetBytes());
    }

    /** Options for per-sample transforms (chunk size = samples per pass). */
    public PerSampleOptions perSampleOptions() {
        return new PerSampleOptions(chunkSize(), memoryBudgetBytes());
    }

    /** Limits ND4J's threads when {@code --threads} was given. */
    public void applyThreads() {
        if (threads != null) {
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.factory().blas().setMaxThreads(threads);
        }
    }

    /** {@code float32} / {@code float64} to FLOAT / DOUBLE. */
    public static final class DtypeConverter implements ITypeConverter<DataType> {
        @Override
        public DataType convert(String value) {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "float32" -> DataType.FLOAT;
                case "float64" -> DataType.DOUBLE;
                default -> throw new TypeConversionException("expected float32 or float64, got '" + value + "'");
            };
        }
    }

    /** A byte size as {@link ByteSize#parse} reads it. */
    public static final class ByteSizeConverter implements ITypeConverter<ByteSize> {
        @Override
        public ByteSize convert(String value) {
            try {
                return ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An integer {@code >= 0}. */
    public static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v;
            try {
                v = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected a whole number >= 0, got '" + value + "'");
            }
            if (v < 0) {
                throw new TypeConversionException("expected a whole number >= 0, got " + v);
            }
            return v;
        }
    }

    /** An integer {@code >= 1}. */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int v;
            try {
                v = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected a whole number >= 1, got '" + value + "'");
            }
            if (v < 1) {
                throw new TypeConversionException("expected a whole number >= 1, got " + v);
            }
            return v;
        }
    }
}
