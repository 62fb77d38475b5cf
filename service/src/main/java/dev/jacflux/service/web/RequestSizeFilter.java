package dev.jacflux.service.web;

import dev.jacflux.config.ByteSize;
import dev.jacflux.service.ServiceProperties;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.service.problems.ProblemWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code jacflux.limits.max-request-size}: a request whose {@code Content-Length} is over the limit
 * is answered 413 before its body is read; a body without a length (chunked) is counted while it is
 * read and fails with 413 as soon as it passes the limit, before it is buffered. Runs after
 * security, so an unauthenticated upload gets its 401 first.
 *
 * <pre>{@code
 * HTTP/1.1 413 Content Too Large
 * {"type":"urn:jacflux:problem:request-too-large", ..., "detail":"the request body has 300000000 bytes (Content-Length),
 *  over jacflux.limits.max-request-size 256MiB (268435456 bytes)"}
 * }</pre>
 */
@Component
@Order(0)
public class RequestSizeFilter implements WebFilter {
    private final ByteSize limit;
    private final ProblemWriter problems;

    /** A filter with the configured limit. */
    public RequestSizeFilter(ServiceProperties properties, ProblemWriter problems) {
        this.limit = properties.limits().maxRequestSize();
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > limit.bytes()) {
            return problems.write(exchange, tooLarge(declared + " bytes (Content-Length)"));
        }
        ServerHttpRequest counted = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                AtomicLong seen = new AtomicLong();
                return super.getBody().map(buf -> {
                    if (seen.addAndGet(buf.readableByteCount()) > limit.bytes()) {
                        DataBufferUtils.release(buf);
                        throw tooLarge("more than " + limit.bytes() + " bytes");
                    }
                    return buf;
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }

    private ApiProblem tooLarge(String size) {
        return ApiProblem.of(ProblemType.REQUEST_TOO_LARGE, "the request body has " + size + ", over jacflux.limits.max-request-size "
                + limit + " (" + limit.bytes() + " bytes)");
    }
}
