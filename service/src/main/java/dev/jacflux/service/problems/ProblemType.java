package dev.jacflux.service.problems;

import org.springframework.http.HttpStatus;

/**
 * The kinds of problem the service answers, each with a stable {@code type} URI
 * ({@code urn:jacflux:problem:<slug>}), a title and an HTTP status. Clients should switch on the
 * type, not on the detail text.
 *
 * <pre>{@code
 * ProblemType.RESULT_TOO_LARGE.uri();   // "urn:jacflux:problem:result-too-large"
 * }</pre>
 */
public enum ProblemType {
    /** A part of the body is malformed or does not fit the model (400). */
    BAD_INPUT("bad-input", "Bad input", HttpStatus.BAD_REQUEST),
    /** A query parameter is unknown or has a bad value (400). */
    BAD_PARAMETER("bad-parameter", "Bad query parameter", HttpStatus.BAD_REQUEST),
    /** Missing, wrong or misplaced token (401). */
    UNAUTHORIZED("unauthorized", "Unauthorized", HttpStatus.UNAUTHORIZED),
    /** No such model, dataset, training or route (404). */
    NOT_FOUND("not-found", "Not found", HttpStatus.NOT_FOUND),
    /** The route exists but not for this method (405). */
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", HttpStatus.METHOD_NOT_ALLOWED),
    /** The resource's state forbids the action, e.g. cancelling a finished training (409). */
    CONFLICT("conflict", "Conflict", HttpStatus.CONFLICT),
    /** The request body is larger than {@code jacflux.limits.max-request-size} (413). */
    REQUEST_TOO_LARGE("request-too-large", "Request too large", HttpStatus.CONTENT_TOO_LARGE),
    /** The body is not of a type the route reads (415). */
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", HttpStatus.UNSUPPORTED_MEDIA_TYPE),
    /** The result would be larger than {@code jacflux.limits.max-result-size}, or cannot be computed within the budget (422). */
    RESULT_TOO_LARGE("result-too-large", "Result too large", HttpStatus.UNPROCESSABLE_CONTENT),
    /** {@code jacflux.limits.max-concurrent-jobs} jobs run already (429). */
    TOO_MANY_JOBS("too-many-jobs", "Too many jobs", HttpStatus.TOO_MANY_REQUESTS),
    /** {@code jacflux.trainings.max-running} trainings run already (429). */
    TOO_MANY_TRAININGS("too-many-trainings", "Too many trainings", HttpStatus.TOO_MANY_REQUESTS),
    /** An unexpected error; the detail says only that, the log has the rest (500). */
    INTERNAL("internal", "Internal error", HttpStatus.INTERNAL_SERVER_ERROR);

    private final String slug;
    private final String title;
    private final HttpStatus status;

    ProblemType(String slug, String title, HttpStatus status) {
        this.slug = slug;
        this.title = title;
        this.status = status;
    }

    /** {@code urn:jacflux:problem:<slug>}. */
    public String uri() {
        return "urn:jacflux:problem:" + slug;
    }

    /** A short human title. */
    public String title() {
        return title;
    }

    /** The HTTP status. */
    public HttpStatus status() {
        return status;
    }
}
