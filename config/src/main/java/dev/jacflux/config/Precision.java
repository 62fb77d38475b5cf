package dev.jacflux.config;

/**
 * Floating-point precision of the computation (ND4J {@code FLOAT} or {@code DOUBLE}).
 *
 * <p>In configuration files and environment variables the constants are written in kebab-case
 * ({@link #configName()}); parsing is case-insensitive and also accepts the constant name.
 * <pre>{@code
 * Precision p = Precision.fromConfigName("float64");   // FLOAT64
 * int bytes = p.bytesPerElement();                       // 8
 * }</pre>
 */
public enum Precision {
    /** 32-bit IEEE floats. */
    FLOAT32(4),
    /** 64-bit IEEE floats. */
    FLOAT64(8);

    private final int bytesPerElement;

    Precision(int bytesPerElement) {
        this.bytesPerElement = bytesPerElement;
    }

    /** Bytes per array element: 4 for {@link #FLOAT32}, 8 for {@link #FLOAT64}. */
    public int bytesPerElement() {
        return bytesPerElement;
    }

    /** The kebab-case name used in configuration, e.g. {@code float32}. */
    public String configName() {
        return ConfigNames.kebab(this);
    }

    /**
     * Parses a configuration value such as {@code float32} (case-insensitive; {@code _} and
     * {@code -} are interchangeable).
     *
     * @throws IllegalArgumentException naming the value and listing the allowed names
     */
    public static Precision fromConfigName(String value) {
        return ConfigNames.parse(Precision.class, value);
    }
}
