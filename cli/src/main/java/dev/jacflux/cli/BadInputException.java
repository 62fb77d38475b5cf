package dev.jacflux.cli;

/**
 * Bad input or bad usage found while a command runs: a missing or malformed file, a shape or
 * dtype that does not fit, an option value that cannot work. The command line turns it into exit
 * code {@value JacFluxCli#BAD_INPUT} and prints its message as one line on stderr, so the message
 * must name the file (or option) and say what is wrong and what was expected.
 *
 * <pre>{@code
 * throw new BadInputException(file + ": input shape [4, 3] does not match the model's input_shape [8]");
 * }</pre>
 */
public final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A bad-input error with its one-line message. */
    public BadInputException(String message) {
        super(message);
    }

    /** A bad-input error caused by {@code cause} (e.g. a model file parse error). */
    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
