package dev.jacflux.service.problems;

/**
 * The {@code application/problem+json} body (RFC 9457).
 *
 * <pre>{@code
 * {"type": "urn:jacflux:problem:not-found", "title": "Not found", "status": 404,
 *  "detail": "no model '0123456789abcdef'; GET /v1/models lists the models"}
 * }</pre>
 *
 * @param type   stable URI of the kind of problem
 * @param title  short human title of the kind
 * @param status HTTP status
 * @param detail one line: the part or parameter, the problem, the expected form
 */
public record ProblemBody(String type, String title, int status, String detail) {
}
