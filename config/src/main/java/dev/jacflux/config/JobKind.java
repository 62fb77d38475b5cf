package dev.jacflux.config;

/**
 * What the pipeline computes for each input batch.
 *
 * <p>In configuration files and environment variables the constants are written in kebab-case
 * ({@link #configName()}); parsing is case-insensitive and also accepts the constant name.
 * <pre>{@code
 * JobKind job = JobKind.fromConfigName("per-sample-gradients");   // PER_SAMPLE_GRADIENTS
 * String name = JobKind.BATCH_JACOBIAN.configName();               // "batch-jacobian"
 * }</pre>
 */
public enum JobKind {
    /** Per-sample Jacobians {@code [N, M, D]} of a function that treats samples independently. */
    BATCH_JACOBIAN,
    /** The full Jacobian of the flattened output with respect to the flattened input. */
    FULL_JACOBIAN,
    /** Gradients of a per-sample loss with respect to the parameters, one per sample. */
    PER_SAMPLE_GRADIENTS,
    /** Only the L2 norms of the per-sample parameter gradients (e.g. for clipping). */
    PER_SAMPLE_GRADIENT_NORMS,
    /** Per-sample Jacobians of the outputs with respect to the parameters. */
    PER_SAMPLE_PARAM_JACOBIAN;

    /** The kebab-case name used in configuration, e.g. {@code batch-jacobian}. */
    public String configName() {
        return ConfigNames.kebab(this);
    }

    /**
     * Parses a configuration value such as {@code batch-jacobian} (case-insensitive; {@code _} and
     * {@code -} are interchangeable).
     *
     * @throws IllegalArgumentException naming the value and listing the allowed names
     */
    public static JobKind fromConfigName(String value) {
        return ConfigNames.parse(JobKind.class, value);
    }
}
