package dev.jacflux.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.LogLines;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.springframework.http.MediaType;

/** Prometheus shows JacFlux's meters and Boot's HTTP meters; every request is logged in one line. */
class ObservabilityTest extends ServiceTestBase {

    @Test
    void prometheusShowsJacfluxAndHttpServerMeters() {
        String id = upload(TestModels.write(TestModels.mlp(), 71, WORK));
        jacobian(id, "", Arrays2.npy(Arrays2.randn(72, DataType.FLOAT, 7, 1, 6, 6)));
        String text = anonymous.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(text)
                .containsPattern("jacflux_samples_total\\{job=\"batch-jacobian\",outcome=\"success\"\\} \\d+")
                .containsPattern("jacflux_batches_total\\{job=\"batch-jacobian\",outcome=\"success\"\\} \\d+")
                .contains("jacflux_stage_duration_seconds_count{job=\"batch-jacobian\",stage=\"forward\"}")
                .contains("jacflux_result_bytes_total{job=\"batch-jacobian\"}")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*uri=\"/v1/models/\\{id}/jacobian\"");
    }

    @Test
    void everyRequestIsLoggedInOneLineWithIdRouteStatusAndDuration() throws Exception {
        String id = upload(TestModels.write(TestModels.mlp(), 73, WORK));
        try (LogLines log = new LogLines("dev.jacflux.service.requests")) {
            String requestId = client.post().uri("/v1/models/" + id + "/jacobian?dtype=float64")
                    .contentType(MediaType.parseMediaType("application/x-npy"))
                    .bodyValue(Arrays2.npy(Arrays2.randn(74, DataType.FLOAT, 4, 1, 6, 6)))
                    .exchange().expectStatus().isOk().returnResult(byte[].class).getResponseHeaders().getFirst("X-Request-Id");
            String line = log.await(l -> l.contains(requestId), Duration.ofSeconds(30));
            assertThat(line).matches("request " + requestId + " POST /v1/models/\\{id}/jacobian /v1/models/" + id + "/jacobian 200 \\d+ ms");

            String refused = anonymous.get().uri("/v1/models?access_token=secret").exchange().expectStatus().isUnauthorized()
                    .returnResult(byte[].class).getResponseHeaders().getFirst("X-Request-Id");
            line = log.await(l -> l.contains(refused), Duration.ofSeconds(30));
            assertThat(line).matches("request " + refused + " GET - /v1/models 401 \\d+ ms").doesNotContain("secret");
        }
    }
}
