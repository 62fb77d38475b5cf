package dev.jacflux.config;

/**
 * What the pipeline does when one batch fails.
 *
 * <p>In configuration files and environment variables the constants are written in kebab-case
 * ({@link #configName()}); parsing is case-insensitive and also accepts the constant name.
 * <pre>{@code
 * ErrorPolicy e = ErrorPolicy.fromConfigName("fail-fast");   // FAIL_FAST
 * }</pre>
 */
public enum ErrorPolicy {
    /** Emit a failure for the bad batch and keep processing the following batches. */
    CONTINUE,
    /** Terminate the output stream with an error at the first failed batch. */
    FAIL_FAST;

    /** The kebab-case name used in configuration, e.g. {@code continue}. */
    public String configName() {
        return ConfigNames.kebab(this);
    }

    /**
     * Parses a configuration value such as {@code continue} (case-insensitive; {@code _} and
     * {@code -} are interchangeable).
     *
     * @throws IllegalArgumentException naming the value and listing the allowed names
     */
    public static ErrorPolicy fromConfigName(String value) {
        return ConfigNames.parse(ErrorPolicy.class, value);
    }
}
