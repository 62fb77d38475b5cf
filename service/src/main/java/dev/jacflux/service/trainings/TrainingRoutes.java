package dev.jacflux.service.trainings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import java.net.URI;
import java.util.Map;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The training endpoints:
 * <ul>
 *   <li>{@code POST /v1/trainings} (JSON {@link TrainingRequest}): 202 {@code {"id"}}, {@code Location};</li>
 *   <li>{@code GET /v1/trainings}: {@code {"trainings": [...]}}; {@code GET /v1/trainings/{id}}: {@link TrainingStatus};</li>
 *   <li>{@code GET /v1/trainings/{id}/events}: Server-Sent Events ({@link TrainingEvents}), resumable with {@code Last-Event-ID};</li>
 *   <li>{@code DELETE /v1/trainings/{id}}: cancels (200 with the status; 409 once it has ended);</li>
 *   <li>{@code GET /v1/trainings/{id}/weights.npz}: the weights after the last released step ({@code JacFlux-Step} says which).</li>
 * </ul>
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
 *      -d '{"model": "3f9a0c1d2e4b5a67", "dataset": "9c41d07be2f05a13", "dp": true, "noise_multiplier": 1.0, "epochs": 5}' \
 *      http://127.0.0.1:8080/v1/trainings
 * {"id":"5f0c2a9e41b7d388"}
 * curl -N -H "Authorization: Bearer $TOKEN" -H 'Last-Event-ID: 40' http://127.0.0.1:8080/v1/trainings/5f0c2a9e41b7d388/events
 * }</pre>
 */
public final class TrainingRoutes {
    /** The header naming the step of the weights answered. */
    public static final String STEP_HEADER = "JacFlux-Step";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingManager manager;
    private final TrainingProperties properties;

    /** Routes over {@code manager}. */
    public TrainingRoutes(TrainingManager manager, TrainingProperties properties) {
        this.manager = manager;
        this.properties = properties;
    }

    /** The 404 of an unknown training id. */
    static ApiProblem noTraining(String id) {
        return ApiProblem.of(ProblemType.NOT_FOUND, "no training '" + id + "'; GET /v1/trainings lists the trainings");
    }

    /** {@code POST /v1/trainings}. */
    public Mono<ServerResponse> start(ServerRequest request) {
        return Mono.defer(() -> {
            MediaType type = request.headers().contentType().orElse(null);
            if (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
                throw ApiProblem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "POST /v1/trainings expects application/json, got "
                        + (type == null ? "no content type" : type.toString()));
            }
            return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()))
                    .map(buf -> {
                        byte[] b = new byte[buf.readableByteCount()];
                        buf.read(b);
                        DataBufferUtils.release(buf);
                        return b;
                    })
                    .defaultIfEmpty(new byte[0])
                    .publishOn(Schedulers.boundedElastic())
                    .map(body -> manager.start(TrainingRequest.parse(json(body), properties.checkpointEvery())))
                    .flatMap(run -> ServerResponse.accepted().location(URI.create("/v1/trainings/" + run.id()))
                            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("id", run.id())));
        });
    }

    private static JsonNode json(byte[] body) {
        if (body.length == 0) {
            throw ApiProblem.of(ProblemType.BAD_INPUT, "training request: empty body; expected a JSON object with at least 'model' and"
                    + " 'dataset'");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiProblem.of(ProblemType.BAD_INPUT, "training request: malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw ApiProblem.of(ProblemType.BAD_INPUT, "training request: unreadable body: " + e.getMessage(), e);
        }
    }

    /** {@code GET /v1/trainings}. */
    public Mono<ServerResponse> list(ServerRequest request) {
        return Mono.fromCallable(() -> manager.list().stream().map(TrainingRun::status).toList())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("trainings", all)));
    }

    /** {@code GET /v1/trainings/{id}}. */
    public Mono<ServerResponse> get(ServerRequest request) {
        return Mono.fromCallable(() -> run(request).status())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(s -> ServerResponse.ok().bodyValue(s));
    }

    /** {@code DELETE /v1/trainings/{id}}. */
    public Mono<ServerResponse> cancel(ServerRequest request) {
        return Mono.fromCallable(() -> run(request).cancel())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(s -> ServerResponse.ok().bodyValue(s));
    }

    /** {@code GET /v1/trainings/{id}/events}, with an optional {@code Last-Event-ID} header. */
    public Mono<ServerResponse> events(ServerRequest request) {
        return Mono.fromCallable(() -> {
            TrainingRun run = run(request);
            return TrainingEvents.of(run, lastEventId(request));
        }).flatMap(events -> ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM).header("Cache-Control", "no-cache")
                .body(BodyInserters.fromServerSentEvents(events)));
    }

    /** {@code GET /v1/trainings/{id}/weights.npz}. */
    public Mono<ServerResponse> weights(ServerRequest request) {
        return Mono.fromCallable(() -> run(request).weights())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(w -> ServerResponse.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).contentLength(w.bytes().length)
                        .header(STEP_HEADER, Long.toString(w.step()))
                        .headers(h -> h.setContentDisposition(ContentDisposition.attachment().filename("weights.npz").build()))
                        .bodyValue(w.bytes()));
    }

    private TrainingRun run(ServerRequest request) {
        String id = request.pathVariable("id");
        return manager.find(id).orElseThrow(() -> noTraining(id));
    }

    /** The step a reconnecting client has seen: its {@code Last-Event-ID}, 0 without one. */
    static long lastEventId(ServerRequest request) {
        String v = request.headers().firstHeader("Last-Event-ID");
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiProblem.of(ProblemType.BAD_PARAMETER, "header 'Last-Event-ID' must be a step number >= 0 (the id of the last event"
                + " received), got '" + v + "'");
    }
}
