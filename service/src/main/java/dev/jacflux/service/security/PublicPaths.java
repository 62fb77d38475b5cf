package dev.jacflux.service.security;

import java.util.List;

/**
 * Paths a feature opens without a token. Every bean of this type is added to
 * {@code jacflux.security.public-paths} when the security chain is built, e.g. the dashboard page
 * when {@code jacflux.dashboard.public=true}. Patterns are Ant-style ({@code /dashboard/**}).
 *
 * <pre>{@code
 * @Bean
 * @ConditionalOnProperty("jacflux.dashboard.public")
 * PublicPaths dashboardIsPublic() {
 *     return () -> List.of("/", "/dashboard", "/v1/dashboard/events");
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PublicPaths {
    /** The patterns to open. */
    List<String> patterns();
}
