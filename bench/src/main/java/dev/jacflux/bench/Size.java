package dev.jacflux.bench;

/**
 * How large a case's data is: {@link #FULL} is the size of {@code BENCHMARKS.md} (the figures to
 * compare with the references); {@link #TINY} shrinks every dimension so that a case runs end to
 * end in well under a second (for tests and smoke runs; its timings mean nothing).
 *
 * <pre>{@code
 * BenchOptions quick = BenchOptions.defaults().withSize(Size.TINY).withRuns(2);
 * Size s = Size.parse("tiny");   // TINY
 * }</pre>
 */
public enum Size {
    /** The dimensions of {@code BENCHMARKS.md}. */
    FULL,
    /** A few elements per axis. */
    TINY;

    /** Parses {@code full} or {@code tiny} (case-insensitive). */
    public static Size parse(String s) {
        for (Size v : values()) {
            if (v.name().equalsIgnoreCase(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("size must be one of full, tiny; got '" + s + "'");
    }
}
