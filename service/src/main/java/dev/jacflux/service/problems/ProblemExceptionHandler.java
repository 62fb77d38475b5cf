package dev.jacflux.service.problems;

import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Answers every error of a request as {@code application/problem+json}: {@link ApiProblem}s as
 * they are; Spring's own status errors (no route, wrong method, unsupported media type, a codec
 * limit) as the matching problem; anything else as a 500 whose detail names only the request id
 * (the log has the stack trace). Runs before Boot's error handler. A response that has already
 * started (a streamed {@code .npy}) cannot change its status: it is cut off, which the client sees
 * as a body shorter than its {@code Content-Length}.
 *
 * <pre>{@code
 * HTTP/1.1 404 Not Found
 * Content-Type: application/problem+json
 * {"type":"urn:jacflux:problem:not-found","title":"Not found","status":404,"detail":"no route for GET /v2/models"}
 * }</pre>
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final ProblemWriter writer;

    /** A handler writing with {@code writer}. */
    public ProblemExceptionHandler(ProblemWriter writer) {
        this.writer = writer;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ApiProblem problem = toProblem(exchange, ex);
        if (exchange.getResponse().isCommitted()) {
            LOG.warn("request {} {} {}: failed after the answer started, connection cut: {}", exchange.getRequest().getId(),
                    exchange.getRequest().getMethod(), exchange.getRequest().getPath(), problem.detail(), ex);
            return Mono.error(ex);
        }
        return writer.write(exchange, problem);
    }

    private static ApiProblem toProblem(ServerWebExchange exchange, Throwable ex) {
        if (ex instanceof ApiProblem p) {
            return p;
        }
        String method = String.valueOf(exchange.getRequest().getMethod());
        String path = exchange.getRequest().getPath().value();
        if (ex instanceof DataBufferLimitException) {
            return ApiProblem.of(ProblemType.REQUEST_TOO_LARGE, "a part of the request is larger than the server buffers in memory: "
                    + ex.getMessage());
        }
        if (ex instanceof MethodNotAllowedException m) {
            Set<HttpMethod> allowed = m.getSupportedMethods();
            return ApiProblem.of(ProblemType.METHOD_NOT_ALLOWED, method + " is not allowed on " + path + "; allowed: "
                    + allowed.stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", ")));
        }
        if (ex instanceof UnsupportedMediaTypeStatusException u) {
            return ApiProblem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "content type " + u.getContentType() + " is not read on " + path
                    + "; expected " + u.getSupportedMediaTypes());
        }
        if (ex instanceof ResponseStatusException r) {
            int status = r.getStatusCode().value();
            if (status == 404) {
                return ApiProblem.of(ProblemType.NOT_FOUND, "no route for " + method + " " + path);
            }
            if (status == 413) {
                return ApiProblem.of(ProblemType.REQUEST_TOO_LARGE, r.getReason() == null ? "request too large" : r.getReason());
            }
            if (status == 415) {
                return ApiProblem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "unsupported content type on " + path);
            }
            if (status >= 400 && status < 500) {
                return ApiProblem.of(ProblemType.BAD_INPUT, method + " " + path + ": " + (r.getReason() == null ? "bad request" : r.getReason()));
            }
        }
        LOG.error("request {} {} {}: internal error", exchange.getRequest().getId(), method, path, ex);
        return ApiProblem.of(ProblemType.INTERNAL, "internal error in request " + exchange.getRequest().getId()
                + "; the server log has the details", ex);
    }
}
