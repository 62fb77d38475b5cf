package dev.jacflux.service.web;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

/**
 * Things a request holds until it ends (a job slot, a model registration): registered on the
 * exchange, closed by {@link RequestLogFilter} when the exchange completes, fails or is cancelled,
 * however the handler's own chain ended. Closing twice must be harmless, since a handler may also
 * close early (e.g. when the answer's last byte is written).
 *
 * <pre>{@code
 * RequestResources.register(request.exchange(), slot);
 * }</pre>
 */
public final class RequestResources {
    private static final String ATTRIBUTE = RequestResources.class.getName();
    private static final Logger LOG = LoggerFactory.getLogger(RequestResources.class);

    private RequestResources() {
    }

    /** Closes {@code resource} when the exchange ends. */
    public static void register(ServerWebExchange exchange, AutoCloseable resource) {
        list(exchange).add(resource);
    }

    @SuppressWarnings("unchecked")
    private static List<AutoCloseable> list(ServerWebExchange exchange) {
        return (List<AutoCloseable>) exchange.getAttributes().computeIfAbsent(ATTRIBUTE, k -> new CopyOnWriteArrayList<AutoCloseable>());
    }

    /** Closes everything registered on the exchange. */
    static void closeAll(ServerWebExchange exchange) {
        Object held = exchange.getAttributes().remove(ATTRIBUTE);
        if (held instanceof List<?> resources) {
            for (Object r : resources) {
                try {
                    ((AutoCloseable) r).close();
                } catch (Exception e) {
                    LOG.warn("request {}: closing {} failed: {}", exchange.getRequest().getId(), r, e.toString());
                }
            }
        }
    }
}
