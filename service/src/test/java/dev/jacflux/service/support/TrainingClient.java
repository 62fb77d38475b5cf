package dev.jacflux.service.support;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

/** The training and dataset endpoints, called as a client would (token included), for the WebTestClient tests. */
public final class TrainingClient {
    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };
    private static final Duration WAIT = Duration.ofMinutes(3);

    private final WebTestClient client;

    /** Calls through {@code client} (which sends the token). */
    public TrainingClient(WebTestClient client) {
        this.client = client;
    }

    /** Uploads x and y; returns the answer (201 expected). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> uploadDataset(byte[] x, byte[] y) {
        Map<String, Object> body = client.post().uri("/v1/datasets")
                .body(BodyInserters.fromMultipartData(ServiceTestBase.npyParts("x", x, "y", y)))
                .exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertNotNull(body);
        return body;
    }

    /** Starts a training from a JSON body; returns its id (202 expected). */
    @SuppressWarnings("unchecked")
    public String start(String json) {
        Map<String, Object> body = client.post().uri("/v1/trainings").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertNotNull(body);
        return (String) body.get("id");
    }

    /** The status of a training. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> status(String id) {
        Map<String, Object> body = client.get().uri("/v1/trainings/{id}", id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertNotNull(body);
        return body;
    }

    /** The event stream after {@code lastEventId} (null: no header). */
    public Flux<ServerSentEvent<String>> events(String id, Long lastEventId) {
        return client.get().uri("/v1/trainings/{id}/events", id)
                .headers(h -> {
                    if (lastEventId != null) {
                        h.set("Last-Event-ID", Long.toString(lastEventId));
                    }
                })
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(SSE).getResponseBody();
    }

    /** The first {@code n} events after {@code lastEventId} (then the client disconnects). */
    public List<ServerSentEvent<String>> take(String id, Long lastEventId, int n) {
        return events(id, lastEventId).take(n).collectList().block(WAIT);
    }

    /** Every event after {@code lastEventId} up to and including the {@code end} event. */
    public List<ServerSentEvent<String>> untilEnd(String id, Long lastEventId) {
        return events(id, lastEventId).takeUntil(e -> "end".equals(e.event())).collectList().block(WAIT);
    }

    /** Cancels a training; returns its status (200 expected). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> cancel(String id) {
        Map<String, Object> body = client.delete().uri("/v1/trainings/{id}", id).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertNotNull(body);
        return body;
    }

    /** The weights answer (200 expected). */
    public WebTestClient.ResponseSpec weights(String id) {
        return client.get().uri("/v1/trainings/{id}/weights.npz", id).exchange().expectStatus().isOk();
    }
}
