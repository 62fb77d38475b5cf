package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jacflux.service.support.ServiceTestBase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;

/** jacflux.dashboard.public=false: the page stays open (it holds no figures), the event stream needs the token in the header. */
@TestPropertySource(properties = "jacflux.dashboard.public=false")
class DashboardTokenTest extends ServiceTestBase {

    @Test
    void theStreamNeedsTheTokenInTheHeader() {
        anonymous.get().uri("/").exchange().expectStatus().isOk();
        anonymous.get().uri("/dashboard/assets/js/sse.js").exchange().expectStatus().isOk();
        anonymous.get().uri("/dashboard/access.json").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.token_required").isEqualTo(true);

        assertProblem(anonymous.get().uri(DashboardRoutes.EVENTS).accept(MediaType.TEXT_EVENT_STREAM).exchange(), 401, "unauthorized",
                "missing token");
        assertProblem(anonymous.get().uri(DashboardRoutes.EVENTS).header(HttpHeaders.AUTHORIZATION, "Bearer wrong").exchange(), 401,
                "unauthorized", "wrong token");
        assertProblem(anonymous.get().uri(DashboardRoutes.EVENTS + "?access_token=" + TOKEN).exchange(), 401, "unauthorized",
                "query string");

        String first = client.get().uri(DashboardRoutes.EVENTS).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { }).getResponseBody()
                .map(e -> e.event() + " " + e.data()).blockFirst(Duration.ofSeconds(30));
        assertThat(first).startsWith("snapshot {").contains("\"token_required\":true");
    }
}
