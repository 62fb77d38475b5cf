package dev.jacflux.service.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Prometheus and Grafana files against a real Prometheus (Debian's 2.42) scraping the
 * packaged service while it runs Jacobian requests and a private training: {@code promtool check
 * config} and {@code check rules} on the shipped files, {@code promtool check metrics} on a real
 * scrape, then every panel query of {@code deploy/grafana/jacflux-dashboard.json} (its variables
 * replaced as Grafana would with "All") and every recorded series of the rules evaluated through
 * {@code /api/v1/query}: each must return data. The queries and what they returned go to
 * {@code target/prometheus-queries.txt}.
 */
class PrometheusDashboardIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    @TempDir
    static Path prom;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void tools() {
        DashboardTools.need("PrometheusDashboardIT", "apt-get install -y --no-install-recommends prometheus", DashboardTools.PROMETHEUS,
                DashboardTools.PROMTOOL);
    }

    @Test
    void everyPanelQueryOfTheGrafanaDashboardReturnsDataFromARealScrape() throws Exception {
        Path deploy = LiveService.root().resolve("deploy");
        Path shippedConfig = deploy.resolve("prometheus/prometheus.yml");
        assertThat(run(List.of(DashboardTools.PROMTOOL.toString(), "check", "config", shippedConfig.toString()), null).code())
                .as("promtool check config on the shipped file").isZero();
        assertThat(run(List.of(DashboardTools.PROMTOOL.toString(), "check", "rules", deploy.resolve("prometheus/jacflux-rules.yml").toString()),
                null).code()).isZero();

        try (LiveService service = LiveService.start(data)) {
            String model = service.uploadImageModel();
            String training = service.startPrivateTraining(work, 4000, 4.0);
            LiveService.Load load = service.load(model, LiveService.imageInputs(64, 9), 5000);

            // the shipped configuration, pointed at this service, scraping and evaluating every second
            int port = freePort();
            String config = Files.readString(shippedConfig)
                    .replace("127.0.0.1:8080", service.base.getHost() + ":" + service.base.getPort())
                    .replace("scrape_interval: 15s", "scrape_interval: 1s")
                    .replace("evaluation_interval: 15s", "evaluation_interval: 1s");
            assertThat(config).contains(":" + service.base.getPort()).contains("scrape_interval: 1s");
            Files.writeString(prom.resolve("prometheus.yml"), config);
            Files.copy(deploy.resolve("prometheus/jacflux-rules.yml"), prom.resolve("jacflux-rules.yml"));
            Process p = new ProcessBuilder(DashboardTools.PROMETHEUS.toString(), "--config.file=" + prom.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + prom.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(prom.resolve("prometheus.log").toFile()).start();
            URI api = URI.create("http://127.0.0.1:" + port);
            try {
                // a scrape of this service is in, and enough samples for rate() over the shortest window
                waitFor(() -> value(query(api, "sum(count_over_time(up{job=\"jacflux\"}[1m]))")) >= 8
                        && value(query(api, "max(jacflux_training_latest_step)")) > 0, "eight scrapes of the service and a training step");
                assertEquals(1.0, value(query(api, "up{job=\"jacflux\"}")), "the target is up");

                // promtool check metrics on a real scrape: JacFlux's families pass the lint; the whole scrape parses
                String scrape = new String(service.send(java.net.http.HttpRequest.newBuilder(service.base.resolve("/actuator/prometheus"))).body(),
                        StandardCharsets.UTF_8);
                String ours = String.join("\n", scrape.lines().filter(l -> l.matches("^(# (HELP|TYPE) )?jacflux_.*")).toList()) + "\n";
                Result lintOurs = run(List.of(DashboardTools.PROMTOOL.toString(), "check", "metrics"), ours);
                assertThat(lintOurs.code()).as("promtool check metrics on the jacflux_* families:\n" + lintOurs.output()).isZero();
                Result lintAll = run(List.of(DashboardTools.PROMTOOL.toString(), "check", "metrics"), scrape);
                assertThat(lintAll.code()).as("the whole scrape parses (3: lint remarks only)\n" + lintAll.output()).isIn(0, 3);
                assertThat(lintAll.output().lines().filter(l -> l.startsWith("jacflux_")).toList()).isEmpty();

                // every panel query, as Grafana sends it with "All" selected
                JsonNode dashboard = JSON.readTree(deploy.resolve("grafana/jacflux-dashboard.json").toFile());
                Map<String, String> queries = new LinkedHashMap<>();
                for (JsonNode panel : dashboard.get("panels")) {
                    int i = 0;
                    for (JsonNode t : panel.path("targets")) {
                        queries.put(panel.get("title").asText() + " [" + (char) ('A' + i++) + "]", t.get("expr").asText());
                    }
                }
                assertThat(queries).hasSizeGreaterThanOrEqualTo(18);
                for (String rule : List.of("jacflux:samples:rate1m", "jacflux:jacobian_entries:rate1m", "jacflux:batch_duration_seconds:p99_5m",
                        "jacflux:batches_failed:ratio_5m", "jacflux:training_epsilon:target_ratio")) {
                    queries.put("recording rule " + rule, rule);
                }
                List<String> report = new ArrayList<>();
                List<String> empty = new ArrayList<>();
                for (Map.Entry<String, String> q : queries.entrySet()) {
                    String expr = grafanaVariables(q.getValue());
                    JsonNode result = waitForData(api, expr);
                    report.add(String.format(Locale.ROOT, "%-48s %2d series, e.g. %s%n    %s", q.getKey(), result.size(),
                            result.isEmpty() ? "-" : result.get(0).get("value").get(1).asText(), expr));
                    if (result.isEmpty()) {
                        empty.add(q.getKey() + ": " + expr);
                    }
                }
                Files.writeString(DashboardTools.target().resolve("prometheus-queries.txt"), String.join("\n", report) + "\n");
                report.forEach(r -> System.out.println("[dashboard-it] " + r));
                assertThat(empty).as("panel queries without data").isEmpty();
                assertThat(load.errors).isEmpty();
                // the throughput and training figures are live numbers, not just present
                assertThat(value(query(api, grafanaVariables("sum(rate(jacflux_samples_total{outcome=\"success\"}[$__rate_interval]))"))))
                        .isPositive();
                assertThat(value(query(api, "jacflux_training_target_epsilon{training=\"" + training + "\"}"))).isEqualTo(4.0);
                service.cancel(training);
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Grafana's variables as it fills them for "All" and a 5-minute range. */
    static String grafanaVariables(String expr) {
        return expr.replace("$__rate_interval", "15s").replace("$__range", "5m").replace("$job", ".+").replace("$training", ".+");
    }

    private JsonNode waitForData(URI api, String expr) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode r = query(api, expr);
        while (r.isEmpty() && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(250);   // polling Prometheus: a query that needs one more scrape or rule evaluation gets it
            r = query(api, expr);
        }
        return r;
    }

    private JsonNode query(URI api, String expr) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("success", body.path("status").asText(), expr + " -> " + r.body());
        return body.get("data").get("result");
    }

    private static double value(JsonNode result) {
        return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).get("value").get(1).asText());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private void waitFor(Check c, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                if (c.holds()) {
                    return;
                }
            } catch (IOException e) {
                // Prometheus not listening yet
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no " + what + " within 120 s");
            }
            TimeUnit.MILLISECONDS.sleep(250);   // polling an external process's state: nothing to latch on
        }
    }

    record Result(int code, String output) {
    }

    private static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            p.getOutputStream().close();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within 60 s");
        }
        return new Result(p.exitValue(), out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
