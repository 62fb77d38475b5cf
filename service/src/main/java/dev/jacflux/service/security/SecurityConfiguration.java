package dev.jacflux.service.security;

import dev.jacflux.service.ServiceProperties;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.service.problems.ProblemWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * Token security: every request needs {@code Authorization: Bearer <token>} except the public
 * paths ({@code jacflux.security.public-paths}, by default health and Prometheus, plus every
 * {@link PublicPaths} bean). A missing or wrong token, or a token in the query string (refused
 * even when right: URLs end up in logs and browser histories), is a 401 problem with
 * {@code WWW-Authenticate: Bearer}. No sessions, no CSRF (no cookies are used), no login page.
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/v1/models    # 200
 * curl http://127.0.0.1:8080/v1/models                                     # 401
 * curl "http://127.0.0.1:8080/v1/models?access_token=$TOKEN"               # 401
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class SecurityConfiguration {
    /** Query parameters that look like a token and are refused. */
    static final Set<String> QUERY_TOKEN_NAMES = Set.of("access_token", "token", "bearer", "api_key", "apikey");
    private static final String BEARER = "Bearer ";
    private static final String CHALLENGE = "Bearer realm=\"jacflux\"";

    /** The token, resolved once at start-up. */
    @Bean
    ServiceToken serviceToken(ServiceProperties properties) {
        return ServiceToken.resolve(System.getenv("JACFLUX_TOKEN"), properties.security().token(), properties.dataDir(), System.err);
    }

    /** Checks bearer tokens; its presence also keeps Boot from creating a default user with a generated password. */
    @Bean
    ReactiveAuthenticationManager tokenAuthenticationManager(ServiceToken token) {
        return auth -> token.matches(String.valueOf(auth.getCredentials()))
                ? Mono.just(new PreAuthenticatedAuthenticationToken("client", null, AuthorityUtils.createAuthorityList("ROLE_CLIENT")))
                : Mono.error(new BadCredentialsException("wrong token"));
    }

    /** The filter chain. */
    @Bean
    SecurityWebFilterChain jacfluxSecurity(ServerHttpSecurity http, ReactiveAuthenticationManager manager, ServiceProperties properties,
            ObjectProvider<PublicPaths> contributed, ProblemWriter problems) {
        AuthenticationWebFilter bearer = new AuthenticationWebFilter(manager);
        bearer.setServerAuthenticationConverter(exchange -> {
            String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return Mono.empty();
            }
            String token = header.substring(BEARER.length()).trim();
            return Mono.just(new PreAuthenticatedAuthenticationToken("client", token));
        });
        bearer.setAuthenticationFailureHandler((webFilterExchange, e) -> problems.write(webFilterExchange.getExchange(),
                unauthorized("wrong token in the Authorization header", "invalid_token")));
        bearer.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());

        List<String> open = new ArrayList<>(properties.security().publicPaths());
        contributed.orderedStream().forEach(p -> open.addAll(p.patterns()));
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterBefore(refuseQueryTokens(problems), SecurityWebFiltersOrder.AUTHENTICATION)
                .addFilterAt(bearer, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(a -> a.pathMatchers(open.toArray(String[]::new)).permitAll().anyExchange().authenticated())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((exchange, ex) -> problems.write(exchange, unauthorized(
                                "missing token: send it as Authorization: Bearer <token> (set by JACFLUX_TOKEN or jacflux.security.token,"
                                        + " or generated into the data directory's token file)", null)))
                        .accessDeniedHandler((exchange, ex) -> problems.write(exchange, unauthorized("not allowed", null))))
                .build();
    }

    /** 401 for any request carrying a token-like query parameter. */
    private static WebFilter refuseQueryTokens(ProblemWriter problems) {
        return (exchange, chain) -> {
            String name = tokenParameter(exchange);
            if (name != null) {
                return problems.write(exchange, unauthorized("a token in the query string ('" + name + "') is refused: URLs end up in"
                        + " logs and histories; send it as Authorization: Bearer <token>", "invalid_request"));
            }
            return chain.filter(exchange);
        };
    }

    private static String tokenParameter(ServerWebExchange exchange) {
        for (String name : exchange.getRequest().getQueryParams().keySet()) {
            if (QUERY_TOKEN_NAMES.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                return name;
            }
        }
        return null;
    }

    private static ApiProblem unauthorized(String detail, String error) {
        return ApiProblem.withHeaders(ProblemType.UNAUTHORIZED, detail,
                Map.of(HttpHeaders.WWW_AUTHENTICATE, error == null ? CHALLENGE : CHALLENGE + ", error=\"" + error + "\""));
    }
}
