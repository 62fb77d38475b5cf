package dev.jacflux.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.service.support.Multiparts;
import dev.jacflux.service.support.ServiceProcess;
import dev.jacflux.service.support.TrainingSets;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.StepResult;
import dev.jacflux.training.privacy.RdpAccountant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service killed with SIGKILL during a private training (secure noise) and started
 * again on the same data directory: the training is running again from its last checkpoint, the
 * step count and epsilon continue, and a client that reconnects with the Last-Event-ID it had gets
 * every later step exactly once; the released log is never rewritten.
 */
class TrainingKillIT {
    private static final String TOKEN = "it-token-kill-31c5";
    private static final Duration START = Duration.ofSeconds(240);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double SIGMA = 1.0;
    private static final int N = 500;
    private static final int BATCH = 20;
    /** Steps per checkpoint: released in groups of 20, so when the client has step 23 the trainer is past step 40, unreleased. */
    private static final int EVERY = 20;

    @TempDir
    Path data;
    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder authed(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN);
    }

    /** Reads events (step id -> data) from the stream until the step {@code until} has arrived; then the client goes away. */
    private LinkedHashMap<Long, String> readUntil(URI base, String id, Long lastEventId, long until) throws Exception {
        HttpRequest.Builder b = authed(base.resolve("/v1/trainings/" + id + "/events")).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", Long.toString(lastEventId));
        }
        HttpResponse<Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        LinkedHashMap<Long, String> events = new LinkedHashMap<>();
        List<Long> order = new ArrayList<>();
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            Long eventId = null;
            String dataLine = null;
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id:")) {
                    eventId = Long.parseLong(line.substring(3).trim());
                } else if (line.startsWith("data:")) {
                    dataLine = line.substring(5);
                } else if (line.isEmpty() && dataLine != null) {
                    assertTrue(eventId != null, "every step event has an id");
                    order.add(eventId);
                    assertEquals(null, events.put(eventId, dataLine), "step " + eventId + " sent twice");
                    if (eventId >= until) {
                        break;
                    }
                    eventId = null;
                    dataLine = null;
                }
            }
        }
        List<Long> expected = new ArrayList<>();
        long from = lastEventId == null ? 1 : lastEventId + 1;
        for (long s = from; s < from + order.size(); s++) {
            expected.add(s);
        }
        assertEquals(expected, order, "consecutive steps from " + from + ", no gap, no repeat");
        return events;
    }

    @Test
    void killedDuringATrainingTheServiceResumesItAndNoStepIsLostOrRepeated() throws Exception {
        Dataset train = TrainingSets.data(N, 21);
        var model = TrainingSets.mlpFiles(22, work);
        String id;
        LinkedHashMap<Long, String> beforeKill;
        long lastSeen = 23;
        Path dir;
        long logged;
        long resumeAt;
        List<String> loggedLines;
        try (ServiceProcess service = ServiceProcess.start(TOKEN, data, List.of("-Xmx512m"), List.of(), START)) {
            URI base = service.base();
            Multiparts m = new Multiparts().part("model", model.json()).part("weights", model.weights());
            HttpResponse<String> mr = send(authed(base.resolve("/v1/models")).header("Content-Type", m.contentType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(m.body())));
            assertEquals(201, mr.statusCode(), mr.body());
            String modelId = JSON.readTree(mr.body()).get("id").asText();
            Multiparts d = new Multiparts().part("x", TrainingSets.xNpy(train)).part("y", TrainingSets.yNpy(train));
            HttpResponse<String> dr = send(authed(base.resolve("/v1/datasets")).header("Content-Type", d.contentType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(d.body())));
            assertEquals(201, dr.statusCode(), dr.body());
            String datasetId = JSON.readTree(dr.body()).get("id").asText();
            HttpResponse<String> tr = send(authed(base.resolve("/v1/trainings")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"" + modelId + "\", \"dataset\": \"" + datasetId
                            + "\", \"dp\": true, \"noise_multiplier\": " + SIGMA + ", \"batch_size\": " + BATCH
                            + ", \"steps\": 100000000, \"checkpoint_every\": " + EVERY + "}")));
            assertEquals(202, tr.statusCode(), tr.body());
            id = JSON.readTree(tr.body()).get("id").asText();

            beforeKill = readUntil(base, id, null, lastSeen);
            String meters = send(HttpRequest.newBuilder(base.resolve("/actuator/prometheus"))).body();
            service.kill();   // SIGKILL, mid-training
            String computed = meters.lines().filter(l -> l.startsWith("jacflux_training_steps_total{") && l.contains(id)).findFirst()
                    .orElse("(no meter)");
            System.out.println("TrainingKillIT: just before the kill the trainer had computed: " + computed);
            assertThat(service.alive()).isFalse();
            dir = data.resolve("trainings").resolve(id);
            loggedLines = Files.readAllLines(dir.resolve("steps.ndjson"), StandardCharsets.UTF_8);
            logged = loggedLines.size();
            List<String> checkpoints;
            try (Stream<Path> s = Files.list(dir.resolve("checkpoints"))) {
                checkpoints = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            resumeAt = checkpoints.stream().filter(c -> c.startsWith("step-")).mapToLong(c -> Long.parseLong(c.substring(5)))
                    .filter(c -> c <= loggedLines.size()).max().orElse(0);
            System.out.printf("TrainingKillIT: killed with %d steps logged, checkpoints %s (resume point %d), the client had seen up to"
                    + " step %d; steps computed but never released (recomputed after the restart): at least %d%n", logged, checkpoints,
                    resumeAt, lastSeen, Math.max(0, (long) Double.parseDouble(computed.replaceAll(".* ", "0")) - resumeAt));
            assertTrue(resumeAt >= lastSeen, "the resume point is at or after every step a client saw");
            assertTrue(logged >= lastSeen, "what the client saw is in the log");
            assertThat(Files.readString(dir.resolve("status.json"))).contains("\"state\" : \"running\"");
        }
        for (Map.Entry<Long, String> e : beforeKill.entrySet()) {
            assertEquals(loggedLines.get((int) (e.getKey() - 1)), e.getValue(), "event " + e.getKey() + " is its log line");
        }

        long restarted = System.nanoTime();
        try (ServiceProcess again = ServiceProcess.start(TOKEN, data, List.of("-Xmx512m"), List.of(), START)) {
            URI base = again.base();
            JsonNode status = JSON.readTree(send(authed(base.resolve("/v1/trainings/" + id))).body());
            System.out.printf("TrainingKillIT: restarted in %.1f s, training %s state %s at step %d, restarts %d%n",
                    (System.nanoTime() - restarted) / 1e9, id, status.get("state").asText(), status.get("step").asLong(),
                    status.get("restarts").asInt());
            assertEquals("running", status.get("state").asText());
            assertEquals(1, status.get("restarts").asInt());
            assertTrue(status.get("step").asLong() >= resumeAt, "resumed from the last checkpoint at or before the logged steps");

            long until = logged + 15;
            LinkedHashMap<Long, String> after = readUntil(base, id, lastSeen, until);
            List<String> log = Files.readAllLines(dir.resolve("steps.ndjson"), StandardCharsets.UTF_8);
            assertTrue(log.size() >= until);
            double q = (double) BATCH / N;
            double previous = StepResult.parse(beforeKill.get(lastSeen)).epsilon();
            for (Map.Entry<Long, String> e : after.entrySet()) {
                long step = e.getKey();
                assertEquals(log.get((int) (step - 1)), e.getValue(), "event " + step + " is its log line");
                StepResult r = StepResult.parse(e.getValue());
                assertEquals(step, r.step());
                assertEquals(RdpAccountant.epsilon(SIGMA, q, step, 1e-5), r.epsilon(), 1e-12, "epsilon after " + step + " steps: never reset");
                assertTrue(r.epsilon() > previous, "epsilon grows at step " + step);
                previous = r.epsilon();
                assertEquals("private", r.privacy());
            }
            System.out.printf("TrainingKillIT: the client resumed with Last-Event-ID %d and got steps %d..%d, each once; epsilon %.4f at"
                    + " step %d before the kill, %.4f at step %d after%n", lastSeen, lastSeen + 1, until,
                    StepResult.parse(beforeKill.get(lastSeen)).epsilon(), lastSeen, previous, until);
            // the log up to the resume point is kept as it was: every released step (the client's included) is the same line
            assertEquals(loggedLines.subList(0, (int) resumeAt), log.subList(0, (int) resumeAt));

            HttpResponse<String> cancelled = send(authed(base.resolve("/v1/trainings/" + id)).DELETE());
            assertEquals(200, cancelled.statusCode(), cancelled.body());
            assertEquals("cancelled", JSON.readTree(cancelled.body()).get("state").asText());
        }
    }
}
