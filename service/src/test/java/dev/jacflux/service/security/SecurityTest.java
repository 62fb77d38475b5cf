package dev.jacflux.service.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jacflux.service.support.ServiceTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/** Token security: what needs the token, what is refused, what is open. */
class SecurityTest extends ServiceTestBase {

    @Test
    void noTokenIs401WithABearerChallenge() {
        var r = anonymous.get().uri("/v1/models").exchange();
        r.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"jacflux\"");
        assertProblem(r, 401, "unauthorized", "missing token", "Authorization: Bearer <token>");
        assertProblem(anonymous.post().uri("/v1/models/0123456789abcdef/jacobian").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(new byte[] {1, 2}).exchange(), 401, "unauthorized", "missing token");
        assertProblem(anonymous.get().uri("/v1/no-such-route").exchange(), 401, "unauthorized");
    }

    @Test
    void aWrongTokenOrAnotherSchemeIs401() {
        var r = anonymous.get().uri("/v1/models").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN + "x").exchange();
        r.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"jacflux\", error=\"invalid_token\"");
        assertProblem(r, 401, "unauthorized", "wrong token");
        assertProblem(anonymous.get().uri("/v1/models").header(HttpHeaders.AUTHORIZATION, "Bearer ").exchange(), 401, "unauthorized");
        assertProblem(anonymous.get().uri("/v1/models").header(HttpHeaders.AUTHORIZATION, "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("client:" + TOKEN).getBytes())).exchange(), 401, "unauthorized", "missing token");
    }

    @Test
    void aTokenInTheQueryStringIsRefusedEvenWhenRight() {
        assertProblem(anonymous.get().uri("/v1/models?access_token=" + TOKEN).exchange(), 401, "unauthorized",
                "a token in the query string ('access_token') is refused");
        assertProblem(anonymous.get().uri("/v1/models?token=" + TOKEN).exchange(), 401, "unauthorized", "('token')");
        assertProblem(client.get().uri("/v1/models?access_token=" + TOKEN).exchange(), 401, "unauthorized", "query string");
    }

    @Test
    void theRightTokenIsEnough() {
        client.get().uri("/v1/models").exchange().expectStatus().isOk();
        anonymous.get().uri("/v1/models").header(HttpHeaders.AUTHORIZATION, "bearer " + TOKEN).exchange().expectStatus().isOk();
    }

    @Test
    void healthAndPrometheusAreOpenAndNoOtherActuatorEndpointIsExposed() {
        String health = anonymous.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(health).contains("\"status\":\"UP\"").contains("\"jacflux\"").contains("\"models\"").contains("CpuBackend")
                .contains("freeBytes").doesNotContain(DATA.toString()).doesNotContain("\"path\"");
        String metrics = anonymous.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("# TYPE");
        assertProblem(anonymous.get().uri("/actuator/env").exchange(), 401, "unauthorized");
        assertProblem(anonymous.get().uri("/actuator/metrics").exchange(), 401, "unauthorized");
        assertProblem(client.get().uri("/actuator/env").exchange(), 404, "not-found");
        assertProblem(client.get().uri("/actuator/beans").exchange(), 404, "not-found");
    }
}
