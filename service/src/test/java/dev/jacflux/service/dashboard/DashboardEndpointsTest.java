package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.pipeline.ModelJobs;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;

/**
 * The dashboard's routes on the test service (loopback, so public by default): the page with its
 * Content-Security-Policy, its assets, and the event stream, whose totals match the Prometheus
 * counters and whose saliency map matches the mean |J| of the request computed directly.
 */
class DashboardEndpointsTest extends ServiceTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void thePageIsServedAtTheRootAndAtDashboardWithAStrictPolicy() {
        for (String path : new String[] {"/", "/dashboard"}) {
            String html = anonymous.get().uri(path).exchange()
                    .expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                    .expectHeader().valueEquals("Content-Security-Policy", DashboardRoutes.CONTENT_SECURITY_POLICY)
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(html).contains("<script type=\"module\" src=\"/dashboard/assets/js/main.js\"></script>")
                    .doesNotContain("<script>").doesNotContain(" style=\"");
        }
        assertThat(DashboardRoutes.CONTENT_SECURITY_POLICY).contains("script-src 'self'").doesNotContain("unsafe");
        anonymous.get().uri("/dashboard/assets/js/main.js").exchange().expectStatus().isOk()
                .expectHeader().value("Content-Type", v -> assertThat(v).contains("javascript"));
        anonymous.get().uri("/dashboard/assets/dashboard.css").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.parseMediaType("text/css"));
        anonymous.get().uri("/dashboard/assets/../index.html").exchange().expectStatus().value(s -> assertThat(s).isIn(400, 404));
        anonymous.get().uri("/dashboard/access.json").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.token_required").isEqualTo(false);
    }

    @Test
    void theStreamShowsTheJobsTotalsAndTheSaliencyOfTheLatestImageJacobian() throws Exception {
        TestModels.Files2 files = TestModels.write(TestModels.cnn(), 301, WORK);   // input [2, 6, 6]: an image
        String id = upload(files);
        INDArray x = Arrays2.randn(302, DataType.FLOAT, 7, 2, 6, 6);   // 3 batches of jacflux.batch-size=3

        Flux<ServerSentEvent<String>> events = anonymous.get().uri(DashboardRoutes.EVENTS).accept(MediaType.TEXT_EVENT_STREAM)
                .exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { }).getResponseBody();
        JsonNode[] first = new JsonNode[1];
        String[] requestId = new String[1];
        JsonNode tick = events
                .publishOn(reactor.core.scheduler.Schedulers.boundedElastic())   // the request below blocks: not on the event loop
                .map(e -> {
                    JsonNode data = read(e.data());
                    if ("snapshot".equals(e.event())) {
                        first[0] = data;
                        requestId[0] = client.post().uri("/v1/models/" + id + "/jacobian").contentType(MediaType.parseMediaType("application/x-npy"))
                                .bodyValue(Arrays2.npy(x)).exchange().expectStatus().isOk()
                                .returnResult(byte[].class).getResponseHeaders().getFirst("X-Request-Id");
                    }
                    return data;
                })
                .filter(d -> d.path("saliency").path("request_id").asText("").equals(requestId[0]) && d.path("saliency").path("batches").asLong() == 3)
                .blockFirst(Duration.ofSeconds(60));
        assertThat(first[0].get("interval_seconds").asDouble()).isEqualTo(1.0);
        assertThat(first[0].get("token_required").asBoolean()).isFalse();
        assertThat(tick.get("totals").get("samples").asLong() - first[0].get("totals").get("samples").asLong()).isGreaterThanOrEqualTo(7);

        // the map against the mean |J| over samples, outputs and channels, computed from the library's Jacobian
        Model m = ModelFile.load(files.jsonPath(), DataType.FLOAT);
        INDArray j = BatchJacobian.of(ModelJobs.forward(m), JacobianOptions.DEFAULT).compute(x);   // [7, 4, 2, 6, 6]
        double[] expected = new double[36];
        for (int b = 0; b < 7; b++) {
            for (int k = 0; k < 4; k++) {
                for (int c = 0; c < 2; c++) {
                    for (int p = 0; p < 36; p++) {
                        expected[p] += Math.abs(j.getDouble(b, k, c, p / 6, p % 6)) / (7 * 4 * 2);
                    }
                }
            }
        }
        double max = java.util.Arrays.stream(expected).max().orElseThrow();
        JsonNode s = tick.get("saliency");
        assertEquals(id, s.get("model").asText());
        assertEquals(6, s.get("height").asInt());
        assertEquals(6, s.get("width").asInt());
        assertEquals(7, s.get("samples").asLong());
        assertEquals(max, s.get("max").asDouble(), max * 1e-5);
        for (int p = 0; p < 36; p++) {
            assertEquals(expected[p] / max, s.get("values").get(p).asDouble(), 0.0005 + 1e-6, "pixel " + p);
        }
    }

    @Test
    void theTotalsAreTheSumsOfThePrometheusCounters() {
        String id = upload(TestModels.write(TestModels.mlp(), 311, WORK));
        jacobian(id, "", Arrays2.npy(Arrays2.randn(312, DataType.FLOAT, 5, 1, 6, 6)));
        // the totals of a snapshot taken between two equal scrapes (nothing ran in between)
        JsonNode snapshot = null;
        String prometheus = null;
        for (int attempt = 0; attempt < 20 && snapshot == null; attempt++) {
            String before = scrape();
            JsonNode s = anonymous.get().uri(DashboardRoutes.EVENTS).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                    .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { }).getResponseBody()
                    .map(e -> read(e.data())).blockFirst(Duration.ofSeconds(30));
            String after = scrape();
            if (sum(before, "jacflux_batches_total", "") == sum(after, "jacflux_batches_total", "")) {
                snapshot = s;
                prometheus = after;
            }
        }
        assertThat(snapshot).as("a quiet moment between two scrapes").isNotNull();
        JsonNode totals = snapshot.get("totals");
        assertEquals(sum(prometheus, "jacflux_samples_total", "outcome=\"success\""), totals.get("samples").asDouble(), 0);
        assertEquals(sum(prometheus, "jacflux_samples_total", "outcome=\"failure\""), totals.get("failed_samples").asDouble(), 0);
        assertEquals(sum(prometheus, "jacflux_batches_total", "outcome=\"success\""), totals.get("succeeded_batches").asDouble(), 0);
        assertEquals(sum(prometheus, "jacflux_batches_total", "outcome=\"failure\""), totals.get("failed_batches").asDouble(), 0);
        assertEquals(sum(prometheus, "jacflux_jacobian_entries_total", ""), totals.get("jacobian_entries").asDouble(), 0);
        assertEquals(sum(prometheus, "jacflux_failed_batches_total", "reason=\"cancelled\""), totals.get("failures").get("cancelled").asDouble(), 0);
        assertThat(totals.get("samples").asLong()).isGreaterThanOrEqualTo(5);
    }

    private String scrape() {
        return anonymous.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }

    /** The sum of the samples of a Prometheus metric whose labels contain {@code label}. */
    static double sum(String exposition, String metric, String label) {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{([^}]*)\\} (\\S+)$").matcher(exposition);
        double s = 0;
        while (m.find()) {
            if (m.group(1).contains(label)) {
                s += Double.parseDouble(m.group(2));
            }
        }
        return s;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
