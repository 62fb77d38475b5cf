package dev.jacflux.config;

import java.util.Locale;

/**
 * The keys of {@link PipelineConfig} under the {@code jacflux.} prefix: their kebab-case names,
 * environment variable names, how their values parse and what is expected of them.
 */
enum ConfigKey {
    JOB("job", "one of " + ConfigNames.allowed(JobKind.class)),
    CHUNK_SIZE("chunk-size", "0 or 'auto' (automatic from jacflux.memory-budget) or an integer between 1 and "
            + Integer.MAX_VALUE),
    MEMORY_BUDGET("memory-budget", ByteSize.EXPECTED + ", greater than 0"),
    PARALLELISM("parallelism", range(1, PipelineConfig.MAX_PARALLELISM)),
    ND4J_THREADS("nd4j-threads", "0 (ND4J default) or " + range(1, PipelineConfig.MAX_ND4J_THREADS)),
    BATCHES_IN_FLIGHT("batches-in-flight", range(1, PipelineConfig.MAX_BATCHES_IN_FLIGHT)),
    CHUNKS_IN_FLIGHT("chunks-in-flight", range(1, PipelineConfig.MAX_CHUNKS_IN_FLIGHT)),
    PRECISION("precision", "one of " + ConfigNames.allowed(Precision.class)),
    ORDERING("ordering", "one of " + ConfigNames.allowed(Ordering.class)),
    ERROR_POLICY("error-policy", "one of " + ConfigNames.allowed(ErrorPolicy.class)),
    NON_FINITE_POLICY("non-finite-policy", "one of " + ConfigNames.allowed(NonFinitePolicy.class));

    private final String name;
    private final String expected;

    ConfigKey(String name, String expected) {
        this.name = name;
        this.expected = expected;
    }

    /** {@code jacflux.chunk-size}. */
    String key() {
        return PipelineConfig.PREFIX + "." + name;
    }

    /** {@code JACFLUX_CHUNK_SIZE}. */
    String envName() {
        return PipelineConfigLoader.ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** What a valid value looks like, for error messages. */
    String expected() {
        return expected;
    }

    /** The relaxed form used for matching: lower case without {@code -} and {@code _}. */
    String relaxed() {
        return relax(name);
    }

    static String relax(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Finds the key whose relaxed form equals the relaxed {@code name}; null if none. */
    static ConfigKey byRelaxedName(String name) {
        String wanted = relax(name);
        for (ConfigKey k : values()) {
            if (k.relaxed().equals(wanted)) {
                return k;
            }
        }
        return null;
    }

    /**
     * Parses {@code raw} and sets it on the builder. Range checks are left to
     * {@link PipelineConfig}'s constructor.
     *
     * @throws IllegalArgumentException if the value does not parse
     */
    void apply(PipelineConfig.Builder b, String raw) {
        String v = raw.trim();
        switch (this) {
            case JOB -> b.job(JobKind.fromConfigName(v));
            case CHUNK_SIZE -> b.chunkSize(v.equalsIgnoreCase("auto") ? 0 : parseInt(v));
            case MEMORY_BUDGET -> b.memoryBudgetBytes(ByteSize.parse(v).bytes());
            case PARALLELISM -> b.parallelism(parseInt(v));
            case ND4J_THREADS -> b.nd4jThreads(parseInt(v));
            case BATCHES_IN_FLIGHT -> b.batchesInFlight(parseInt(v));
            case CHUNKS_IN_FLIGHT -> b.chunksInFlight(parseInt(v));
            case PRECISION -> b.precision(Precision.fromConfigName(v));
            case ORDERING -> b.ordering(Ordering.fromConfigName(v));
            case ERROR_POLICY -> b.errorPolicy(ErrorPolicy.fromConfigName(v));
            case NON_FINITE_POLICY -> b.nonFinitePolicy(NonFinitePolicy.fromConfigName(v));
            default -> throw new AssertionError(this);
        }
    }

    /** The value of this key in {@code c}, written so that {@link #apply} reads it back. */
    String format(PipelineConfig c) {
        return switch (this) {
            case JOB -> c.job().configName();
            case CHUNK_SIZE -> Integer.toString(c.chunkSize());
            case MEMORY_BUDGET -> ByteSize.ofBytes(c.memoryBudgetBytes()).toString();
            case PARALLELISM -> Integer.toString(c.parallelism());
            case ND4J_THREADS -> Integer.toString(c.nd4jThreads());
            case BATCHES_IN_FLIGHT -> Integer.toString(c.batchesInFlight());
            case CHUNKS_IN_FLIGHT -> Integer.toString(c.chunksInFlight());
            case PRECISION -> c.precision().configName();
            case ORDERING -> c.ordering().configName();
            case ERROR_POLICY -> c.errorPolicy().configName();
            case NON_FINITE_POLICY -> c.nonFinitePolicy().configName();
        };
    }

    private static int parseInt(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer", e);
        }
    }

    private static String range(int min, int max) {
        return "an integer between " + min + " and " + max;
    }
}
