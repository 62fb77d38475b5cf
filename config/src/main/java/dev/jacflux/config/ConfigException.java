package dev.jacflux.config;

/**
 * An invalid JacFlux configuration: a value out of range, a value that does not parse, an
 * unknown key, or a configuration file that cannot be read.
 *
 * <p>Messages name the key (in its {@code jacflux.kebab-case} form), the offending value, what
 * was expected and, when the value came from a file or the environment, where it came from.
 * <pre>{@code
 * try {
 *     PipelineConfig.builder().parallelism(0).build();
 * } catch (ConfigException e) {
 *     e.getMessage();   // "jacflux.parallelism must be between 1 and 256, got 0"
 *     e.key();          // "jacflux.parallelism"
 * }
 * }</pre>
 */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The full key, e.g. {@code jacflux.parallelism}; null when the error concerns no single key. */
    private final String key;

    /** Creates an exception about {@code key} (may be null) with a complete message. */
    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** Creates an exception about {@code key} (may be null) with a complete message and a cause. */
    public ConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /**
     * The full configuration key the error is about, e.g. {@code jacflux.memory-budget}, or null
     * if the error does not concern a single key (an unreadable file, malformed YAML).
     */
    public String key() {
        return key;
    }
}
