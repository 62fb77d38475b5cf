package dev.jacflux.service.models;

import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.service.web.Multipart;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The model endpoints: upload ({@code POST /v1/models}, multipart parts {@code model} and
 * {@code weights}; 201 with the model's summary and its {@code Location}), list, get and delete.
 * Uploading the same files again answers 201 with the same id.
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" -F model=@model.json -F weights=@weights.npz http://127.0.0.1:8080/v1/models
 * {"id":"3f9a0c1d2e4b5a67","input_shape":[1,14,14],"output_shape":[10],"parameters":1666,"layers":[...]}
 * }</pre>
 */
public final class ModelRoutes {
    private final ModelStore store;

    /** Routes over {@code store}. */
    public ModelRoutes(ModelStore store) {
        this.store = store;
    }

    /** The 404 of an unknown model id. */
    public static ApiProblem noModel(String id) {
        return ApiProblem.of(ProblemType.NOT_FOUND, "no model '" + id + "'; GET /v1/models lists the stored models");
    }

    /** {@code POST /v1/models}. */
    public Mono<ServerResponse> upload(ServerRequest request) {
        return Mono.defer(() -> {
            Multipart.requireMultipart(request, "model", "weights");
            return Multipart.read(request, Set.of("model", "weights"))
                    .flatMap(parts -> Mono.zip(Multipart.bytes(parts.get("model")), Multipart.bytes(parts.get("weights"))))
                    .publishOn(Schedulers.boundedElastic())
                    .map(files -> {
                        try {
                            return store.save(files.getT1(), files.getT2());
                        } catch (ModelStore.InvalidModelException e) {
                            throw ApiProblem.of(ProblemType.BAD_INPUT, e.getMessage(), e);
                        }
                    })
                    .flatMap(saved -> ServerResponse.created(URI.create("/v1/models/" + saved.model().id()))
                            .bodyValue(saved.model().summary()));
        });
    }

    /** {@code GET /v1/models}: {@code {"models": [...]}}, by id. */
    public Mono<ServerResponse> list(ServerRequest request) {
        return Mono.fromCallable(() -> store.list().stream().map(StoredModel::summary).toList())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("models", all)));
    }

    /** {@code GET /v1/models/{id}}. */
    public Mono<ServerResponse> get(ServerRequest request) {
        String id = request.pathVariable("id");
        return Mono.fromCallable(() -> store.find(id).orElseThrow(() -> noModel(id)))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(m -> ServerResponse.ok().bodyValue(m.summary()));
    }

    /** {@code DELETE /v1/models/{id}}: 204, or 404. */
    public Mono<ServerResponse> delete(ServerRequest request) {
        String id = request.pathVariable("id");
        return Mono.fromCallable(() -> store.delete(id))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(deleted -> deleted ? ServerResponse.noContent().build() : Mono.error(noModel(id)));
    }
}
