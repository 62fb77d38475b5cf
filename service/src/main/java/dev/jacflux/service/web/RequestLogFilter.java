package dev.jacflux.service.web;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * One log line per request, when it ends (after the last byte of a streamed answer): its id
 * (also sent back as {@code X-Request-Id}), method, route, path, status and duration, or
 * {@code cancelled} if the client went away. The query string is never logged (it is where a
 * misplaced token would be). Also closes the request's {@link RequestResources}.
 *
 * <pre>{@code
 * INFO dev.jacflux.service.requests : request 3f2a1b7c-12 POST /v1/models/{id}/jacobian /v1/models/3f9a0c1d2e4b5a67/jacobian 200 412 ms
 * }</pre>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestLogFilter implements WebFilter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.jacflux.service.requests");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long t0 = System.nanoTime();
        exchange.getResponse().getHeaders().set("X-Request-Id", exchange.getRequest().getId());
        AtomicBoolean done = new AtomicBoolean();
        return chain.filter(exchange).doFinally(signal -> {
            if (done.compareAndSet(false, true)) {
                RequestResources.closeAll(exchange);
                log(exchange, signal, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        });
    }

    private static void log(ServerWebExchange exchange, SignalType signal, long millis) {
        Object pattern = exchange.getAttribute(RouterFunctions.MATCHING_PATTERN_ATTRIBUTE);
        String path = exchange.getRequest().getPath().value();
        String route = pattern instanceof PathPattern p ? p.getPatternString() : "-";
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        String outcome = signal == SignalType.CANCEL ? "cancelled" : status == null ? "200" : Integer.toString(status.value());
        LOG.info("request {} {} {} {} {} {} ms", exchange.getRequest().getId(), exchange.getRequest().getMethod(), route, path, outcome,
                millis);
    }
}
