package dev.jacflux.service.problems;

import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error answered as {@code application/problem+json} (RFC 9457): a stable {@link ProblemType},
 * the HTTP status, and a one-line {@code detail} naming the part or parameter, the problem and
 * the expected form. Thrown (or emitted as an error signal) anywhere in a request;
 * {@link ProblemExceptionHandler} writes it.
 *
 * <pre>{@code
 * throw ApiProblem.of(ProblemType.BAD_INPUT, "part 'input': input shape [4, 3] does not match the model's input_shape [784]"
 *         + "; expected [B, 784]");
 * }</pre>
 */
public final class ApiProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final transient Map<String, String> headers;

    private ApiProblem(ProblemType type, String detail, Map<String, String> headers, Throwable cause) {
        super(oneLine(detail), cause, false, false);
        this.type = type;
        this.headers = Map.copyOf(headers);
    }

    /** A problem of {@code type} with its detail line. */
    public static ApiProblem of(ProblemType type, String detail) {
        return new ApiProblem(type, detail, Map.of(), null);
    }

    /** A problem of {@code type} caused by {@code cause} (kept for the log, never shown). */
    public static ApiProblem of(ProblemType type, String detail, Throwable cause) {
        return new ApiProblem(type, detail, Map.of(), cause);
    }

    /** A problem with extra response headers (e.g. {@code Retry-After}, {@code WWW-Authenticate}). */
    public static ApiProblem withHeaders(ProblemType type, String detail, Map<String, String> headers) {
        return new ApiProblem(type, detail, headers, null);
    }

    /** The kind of problem. */
    public ProblemType type() {
        return type;
    }

    /** The HTTP status. */
    public HttpStatus status() {
        return type.status();
    }

    /** The detail line. */
    public String detail() {
        return getMessage();
    }

    /** Extra response headers. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The JSON body. */
    public ProblemBody body() {
        return new ProblemBody(type.uri(), type.title(), type.status().value(), detail());
    }

    /** Collapses line breaks and runs of blanks so that the detail is one line. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
