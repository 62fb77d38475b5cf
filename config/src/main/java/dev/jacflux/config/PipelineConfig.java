package dev.jacflux.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The immutable configuration of one JacFlux pipeline: what to compute, how to split the work
 * into row chunks, how much runs in parallel and in flight, and how to treat bad batches.
 *
 * <p>Every instance is valid: the canonical constructor checks each field and throws a
 * {@link ConfigException} that names the key and the allowed range, e.g.
 * {@code jacflux.parallelism must be between 1 and 256, got 0}. Use {@link #builder()} for
 * defaults, {@link PipelineConfigLoader} to read properties, YAML or environment variables.
 * The configuration keys are the kebab-case forms of the components under the {@code jacflux.}
 * prefix ({@code jacflux.chunk-size}, {@code jacflux.memory-budget}, ...).
 * <pre>{@code
 * PipelineConfig config = PipelineConfig.builder()
 *         .job(JobKind.PER_SAMPLE_GRADIENTS)
 *         .memoryBudget("256MiB")
 *         .parallelism(2)
 *         .build();
 * config.chunksInFlight();                  // 4 (= 2 * parallelism unless set)
 * config.toBuilder().chunkSize(64).build(); // a copy with a fixed chunk size
 * }</pre>
 *
 * @param job               what each batch computes (default {@link JobKind#BATCH_JACOBIAN})
 * @param chunkSize         cotangent rows per VJP chunk, {@code >= 0}; 0 = automatic from the
 *                          memory budget (default 0)
 * @param memoryBudgetBytes bytes one chunk may use for its reverse pass, {@code > 0}
 *                          (default 512 MiB)
 * @param parallelism       chunks computed at once (rails of the parallel scheduler),
 *                          1..{@value #MAX_PARALLELISM} (default {@code min(2, processors)})
 * @param nd4jThreads       threads ND4J's BLAS/OpenMP may use; 0 = leave ND4J's default,
 *                          else 1..{@value #MAX_ND4J_THREADS} (default 0)
 * @param batchesInFlight   input batches admitted before backpressure applies,
 *                          1..{@value #MAX_BATCHES_IN_FLIGHT} (default 2)
 * @param chunksInFlight    row chunks requested from the planner before backpressure applies,
 *                          1..{@value #MAX_CHUNKS_IN_FLIGHT} (default {@code 2 * parallelism})
 * @param precision         float precision (default {@link Precision#FLOAT32})
 * @param ordering          order of results (default {@link Ordering#INPUT_ORDER})
 * @param errorPolicy       behaviour on a failed batch (default {@link ErrorPolicy#CONTINUE})
 * @param nonFinitePolicy   behaviour on NaN/Inf in an input batch
 *                          (default {@link NonFinitePolicy#REJECT})
 */
public record PipelineConfig(
        JobKind job,
        int chunkSize,
        long memoryBudgetBytes,
        int parallelism,
        int nd4jThreads,
        int batchesInFlight,
        int chunksInFlight,
        Precision precision,
        Ordering ordering,
        ErrorPolicy errorPolicy,
        NonFinitePolicy nonFinitePolicy) {

    /** The prefix of every configuration key: {@code jacflux}. */
    public static final String PREFIX = "jacflux";
    /** Largest allowed {@link #parallelism()}. */
    public static final int MAX_PARALLELISM = 256;
    /** Largest allowed {@link #nd4jThreads()}. */
    public static final int MAX_ND4J_THREADS = 256;
    /** Largest allowed {@link #batchesInFlight()}. */
    public static final int MAX_BATCHES_IN_FLIGHT = 1024;
    /** Largest allowed {@link #chunksInFlight()}. */
    public static final int MAX_CHUNKS_IN_FLIGHT = 4096;
    /** Default {@link #memoryBudgetBytes()}: 512 MiB. */
    public static final long DEFAULT_MEMORY_BUDGET_BYTES = 512L * 1024 * 1024;
    /** Default {@link #batchesInFlight()}. */
    public static final int DEFAULT_BATCHES_IN_FLIGHT = 2;

    /**
     * Validates every component.
     *
     * @throws ConfigException naming the first invalid key, its allowed range and the value
     */
    public PipelineConfig {
        requireSet(ConfigKey.JOB, job);
        if (chunkSize < 0) {
            throw invalid(ConfigKey.CHUNK_SIZE, "must be 0 (automatic from " + ConfigKey.MEMORY_BUDGET.key()
                    + ") or between 1 and " + Integer.MAX_VALUE, chunkSize);
        }
        if (memoryBudgetBytes <= 0) {
            throw invalid(ConfigKey.MEMORY_BUDGET, "must be greater than 0 bytes", memoryBudgetBytes);
        }
        requireBetween(ConfigKey.PARALLELISM, parallelism, 1, MAX_PARALLELISM);
        if (nd4jThreads != 0 && (nd4jThreads < 1 || nd4jThreads > MAX_ND4J_THREADS)) {
            throw invalid(ConfigKey.ND4J_THREADS, "must be 0 (ND4J default) or between 1 and "
                    + MAX_ND4J_THREADS, nd4jThreads);
        }
        requireBetween(ConfigKey.BATCHES_IN_FLIGHT, batchesInFlight, 1, MAX_BATCHES_IN_FLIGHT);
        requireBetween(ConfigKey.CHUNKS_IN_FLIGHT, chunksInFlight, 1, MAX_CHUNKS_IN_FLIGHT);
        requireSet(ConfigKey.PRECISION, precision);
        requireSet(ConfigKey.ORDERING, ordering);
        requireSet(ConfigKey.ERROR_POLICY, errorPolicy);
        requireSet(ConfigKey.NON_FINITE_POLICY, nonFinitePolicy);
    }

    /** A configuration with every default (see the component descriptions). */
    public static PipelineConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, for modified copies. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The default parallelism: {@code min(2, availableProcessors)}.
     */
    public static int defaultParallelism() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    }

    /** True if the chunk size is chosen from {@link #memoryBudgetBytes()} ({@code chunkSize == 0}). */
    public boolean automaticChunkSize() {
        return chunkSize == 0;
    }

    /** The memory budget as a {@link ByteSize}. */
    public ByteSize memoryBudget() {
        return ByteSize.ofBytes(memoryBudgetBytes);
    }

    /**
     * This configuration as {@code jacflux.*} properties with kebab-case keys, in declaration
     * order; {@link PipelineConfigLoader#fromProperties(java.util.Properties)} reads it back.
     * <pre>{@code
     * PipelineConfig.defaults().asProperties().get("jacflux.memory-budget");   // "512MiB"
     * }</pre>
     */
    public Map<String, String> asProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigKey k : ConfigKey.values()) {
            out.put(k.key(), k.format(this));
        }
        return Collections.unmodifiableMap(out);
    }

    private static int derivedChunksInFlight(int parallelism) {
        return (int) Math.min(MAX_CHUNKS_IN_FLIGHT, 2L * Math.max(1, parallelism));
    }

    private static void requireSet(ConfigKey key, Enum<?> value) {
        if (value == null) {
            throw new ConfigException(key.key(), key.key() + " must be " + key.expected() + ", got null");
        }
    }

    private static void requireBetween(ConfigKey key, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(key, "must be between " + min + " and " + max, value);
        }
    }

    private static ConfigException invalid(ConfigKey key, String rule, long value) {
        return new ConfigException(key.key(), key.key() + " " + rule + ", got " + value);
    }

    /**
     * Mutable builder of {@link PipelineConfig}; starts from the defaults. {@link #build()}
     * validates. {@link #chunksInFlight(int)} defaults to twice the parallelism chosen at build
     * time unless set explicitly.
     * <pre>{@code
     * PipelineConfig c = PipelineConfig.builder().parallelism(4).build();
     * c.chunksInFlight();   // 8
     * }</pre>
     */
    public static final class Builder {
        private JobKind job = JobKind.BATCH_JACOBIAN;
        private int chunkSize = 0;
        private long memoryBudgetBytes = DEFAULT_MEMORY_BUDGET_BYTES;
        private int parallelism = defaultParallelism();
        private int nd4jThreads = 0;
        private int batchesInFlight = DEFAULT_BATCHES_IN_FLIGHT;
        private Integer chunksInFlight;
        private Precision precision = Precision.FLOAT32;
        private Ordering ordering = Ordering.INPUT_ORDER;
        private ErrorPolicy errorPolicy = ErrorPolicy.CONTINUE;
        private NonFinitePolicy nonFinitePolicy = NonFinitePolicy.REJECT;

        private Builder() {
        }

        private Builder(PipelineConfig c) {
            job = c.job;
            chunkSize = c.chunkSize;
            memoryBudgetBytes = c.memoryBudgetBytes;
            parallelism = c.parallelism;
            nd4jThreads = c.nd4jThreads;
            batchesInFlight = c.batchesInFlight;
            // a derived value (2 * parallelism) stays derived, so it follows a new parallelism
            chunksInFlight = c.chunksInFlight == derivedChunksInFlight(c.parallelism) ? null : c.chunksInFlight;
            precision = c.precision;
            ordering = c.ordering;
            errorPolicy = c.errorPolicy;
            nonFinitePolicy = c.nonFinitePolicy;
        }

        /** Sets {@link PipelineConfig#job()}. */
        public Builder job(JobKind job) {
            this.job = job;
            return this;
        }

        /** Sets {@link PipelineConfig#chunkSize()}; 0 = automatic from the memory budget. */
        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /** Sets {@link PipelineConfig#memoryBudgetBytes()}. */
        public Builder memoryBudgetBytes(long memoryBudgetBytes) {
            this.memoryBudgetBytes = memoryBudgetBytes;
            return this;
        }

        /** Sets the memory budget from a {@link ByteSize}. */
        public Builder memoryBudget(ByteSize memoryBudget) {
            this.memoryBudgetBytes = memoryBudget.bytes();
            return this;
        }

        /**
         * Sets the memory budget from text such as {@code 512MiB}, {@code 2GB} or {@code 1g}.
         *
         * @throws ConfigException naming {@code jacflux.memory-budget} if the text does not parse
         */
        public Builder memoryBudget(String memoryBudget) {
            try {
                this.memoryBudgetBytes = ByteSize.parse(memoryBudget).bytes();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(ConfigKey.MEMORY_BUDGET.key(),
                        ConfigKey.MEMORY_BUDGET.key() + ": " + e.getMessage(), e);
            }
            return this;
        }

        /** Sets {@link PipelineConfig#parallelism()}. */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Sets {@link PipelineConfig#nd4jThreads()}; 0 = leave ND4J's default. */
        public Builder nd4jThreads(int nd4jThreads) {
            this.nd4jThreads = nd4jThreads;
            return this;
        }

        /** Sets {@link PipelineConfig#batchesInFlight()}. */
        public Builder batchesInFlight(int batchesInFlight) {
            this.batchesInFlight = batchesInFlight;
            return this;
        }

        /**
         * Sets {@link PipelineConfig#chunksInFlight()} explicitly. If never set, it is
         * {@code 2 * parallelism} (capped at {@value PipelineConfig#MAX_CHUNKS_IN_FLIGHT}); a
         * builder from {@link PipelineConfig#toBuilder()} treats a value equal to that as derived,
         * so it follows a changed parallelism.
         */
        public Builder chunksInFlight(int chunksInFlight) {
            this.chunksInFlight = chunksInFlight;
            return this;
        }

        /** Sets {@link PipelineConfig#precision()}. */
        public Builder precision(Precision precision) {
            this.precision = precision;
            return this;
        }

        /** Sets {@link PipelineConfig#ordering()}. */
        public Builder ordering(Ordering ordering) {
            this.ordering = ordering;
            return this;
        }

        /** Sets {@link PipelineConfig#errorPolicy()}. */
        public Builder errorPolicy(ErrorPolicy errorPolicy) {
            this.errorPolicy = errorPolicy;
            return this;
        }

        /** Sets {@link PipelineConfig#nonFinitePolicy()}. */
        public Builder nonFinitePolicy(NonFinitePolicy nonFinitePolicy) {
            this.nonFinitePolicy = nonFinitePolicy;
            return this;
        }

        /**
         * Builds and validates the configuration.
         *
         * @throws ConfigException naming the first invalid key, its allowed range and the value
         */
        public PipelineConfig build() {
            int inFlight = chunksInFlight != null ? chunksInFlight : derivedChunksInFlight(parallelism);
            return new PipelineConfig(job, chunkSize, memoryBudgetBytes, parallelism, nd4jThreads,
                    batchesInFlight, inFlight, precision, ordering, errorPolicy, nonFinitePolicy);
        }
    }
}
