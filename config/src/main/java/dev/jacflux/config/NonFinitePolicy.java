package dev.jacflux.config;

/**
 * What the pipeline does when an input batch contains NaN or infinite values.
 *
 * <p>In configuration files and environment variables the constants are written in kebab-case
 * ({@link #configName()}); parsing is case-insensitive and also accepts the constant name.
 * <pre>{@code
 * NonFinitePolicy p = NonFinitePolicy.fromConfigName("allow");   // ALLOW
 * }</pre>
 */
public enum NonFinitePolicy {
    /** Reject the batch with a failure naming the first non-finite value. */
    REJECT,
    /** Compute anyway; NaN and infinities propagate into the results. */
    ALLOW;

    /** The kebab-case name used in configuration, e.g. {@code reject}. */
    public String configName() {
        return ConfigNames.kebab(this);
    }

    /**
     * Parses a configuration value such as {@code reject} (case-insensitive; {@code _} and
     * {@code -} are interchangeable).
     *
     * @throws IllegalArgumentException naming the value and listing the allowed names
     */
    public static NonFinitePolicy fromConfigName(String value) {
        return ConfigNames.parse(NonFinitePolicy.class, value);
    }
}
