package dev.jacflux.service.problems;

import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Writes an {@link ApiProblem} as the {@code application/problem+json} answer of an exchange,
 * with the server's JSON codec. Used by the exception handler and by security's entry point, so
 * that every error of the service has the same form.
 *
 * <pre>{@code
 * return problems.write(exchange, ApiProblem.of(ProblemType.NOT_FOUND, "no model '" + id + "'"));
 * }</pre>
 */
@Component
public class ProblemWriter {
    private final ServerResponse.Context context;

    /** A writer using the server's message writers. */
    public ProblemWriter(ServerCodecConfigurer codecs) {
        List<HttpMessageWriter<?>> writers = codecs.getWriters();
        this.context = new ServerResponse.Context() {
            @Override
            public List<HttpMessageWriter<?>> messageWriters() {
                return writers;
            }

            @Override
            public List<ViewResolver> viewResolvers() {
                return List.of();
            }
        };
    }

    /** The problem as a response (for handlers). */
    public static Mono<ServerResponse> response(ApiProblem problem) {
        return ServerResponse.status(problem.status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .headers(h -> problem.headers().forEach(h::set))
                .bodyValue(problem.body());
    }

    /** Writes the problem as the exchange's answer. */
    public Mono<Void> write(ServerWebExchange exchange, ApiProblem problem) {
        return response(problem).flatMap(r -> r.writeTo(exchange, context));
    }
}
