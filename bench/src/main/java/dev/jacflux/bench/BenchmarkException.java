package dev.jacflux.bench;

/**
 * A benchmark could not run: an unknown case or option, or a method that threw (the message names
 * the case and the method).
 *
 * <pre>{@code
 * BenchmarkSuite.run("no-such-case", BenchOptions.defaults());   // throws, listing the cases
 * }</pre>
 */
public final class BenchmarkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public BenchmarkException(String message) {
        super(message);
    }

    /** With a message and a cause. */
    public BenchmarkException(String message, Throwable cause) {
        super(message, cause);
    }
}
