package dev.jacflux.config;

/**
 * Order in which results are emitted relative to the input batches.
 *
 * <p>In configuration files and environment variables the constants are written in kebab-case
 * ({@link #configName()}); parsing is case-insensitive and also accepts the constant name.
 * <pre>{@code
 * Ordering o = Ordering.fromConfigName("completion-order");   // COMPLETION_ORDER
 * }</pre>
 */
public enum Ordering {
    /** Results come out in the order the batches came in (a slow batch holds back later ones). */
    INPUT_ORDER,
    /** Results come out as soon as they are ready; lower latency, order not preserved. */
    COMPLETION_ORDER;

    /** The kebab-case name used in configuration, e.g. {@code input-order}. */
    public String configName() {
        return ConfigNames.kebab(this);
    }

    /**
     * Parses a configuration value such as {@code input-order} (case-insensitive; {@code _} and
     * {@code -} are interchangeable).
     *
     * @throws IllegalArgumentException naming the value and listing the allowed names
     */
    public static Ordering fromConfigName(String value) {
        return ConfigNames.parse(Ordering.class, value);
    }
}
