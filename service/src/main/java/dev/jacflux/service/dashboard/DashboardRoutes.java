package dev.jacflux.service.dashboard;

import java.util.List;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The dashboard's routes:
 * <ul>
 *   <li>{@code GET /} and {@code GET /dashboard}: the page (static HTML, no figures in it; a strict
 *       Content-Security-Policy: scripts and styles from this origin only, no inline script);</li>
 *   <li>{@code GET /dashboard/assets/**}: its JavaScript modules and style sheet;</li>
 *   <li>{@code GET /dashboard/access.json}: whether the stream needs the token, so the page asks for
 *       it before it connects;</li>
 *   <li>{@code GET /v1/dashboard/events}: the live figures as Server-Sent Events (a snapshot, then a
 *       tick per interval), behind the token unless the dashboard is public.</li>
 * </ul>
 * The page, the assets and {@code access.json} hold no figures and are always open; the figures
 * come only through the event stream.
 *
 * <pre>{@code
 * curl -N http://127.0.0.1:8080/v1/dashboard/events                                   # public (default on loopback)
 * curl -N -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/v1/dashboard/events  # jacflux.dashboard.public=false
 * }</pre>
 */
public final class DashboardRoutes {
    /** The event stream. */
    public static final String EVENTS = "/v1/dashboard/events";
    /** Whether the stream needs the token. */
    public static final String ACCESS = "/dashboard/access.json";
    /** The page's scripts and styles. */
    public static final String ASSETS = "/dashboard/assets/**";
    /** The paths open whatever {@code jacflux.dashboard.public} says: the page and its assets, which hold no figures. */
    public static final List<String> ALWAYS_OPEN = List.of("/", "/dashboard", ACCESS, ASSETS);
    /** The page's Content-Security-Policy. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Resource PAGE = new ClassPathResource("dashboard/index.html");
    private static final Resource ASSET_ROOT = new ClassPathResource("dashboard/assets/");

    private final DashboardStream stream;
    private final boolean tokenRequired;

    /** Routes over {@code stream}; {@code tokenRequired} is what the page is told. */
    public DashboardRoutes(DashboardStream stream, boolean tokenRequired) {
        this.stream = stream;
        this.tokenRequired = tokenRequired;
    }

    /** The routes. */
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .GET("/", this::page)
                .GET("/dashboard", this::page)
                .GET(ACCESS, this::access)
                .GET(EVENTS, this::events)
                .build()
                .and(RouterFunctions.resources(ASSETS, ASSET_ROOT));
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        return ServerResponse.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noCache())
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("Referrer-Policy", "no-referrer")
                .body(BodyInserters.fromResource(PAGE));
    }

    private Mono<ServerResponse> access(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(CacheControl.noStore())
                .bodyValue(Map.of("token_required", tokenRequired, "events", EVENTS));
    }

    private Mono<ServerResponse> events(ServerRequest request) {
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .cacheControl(CacheControl.noStore())
                .header("X-Accel-Buffering", "no")
                .body(BodyInserters.fromServerSentEvents(stream.events()));
    }
}
