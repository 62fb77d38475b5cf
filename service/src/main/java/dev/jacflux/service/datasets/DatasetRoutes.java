package dev.jacflux.service.datasets;

import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.service.web.Multipart;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The dataset endpoints: upload ({@code POST /v1/datasets}, multipart parts {@code x} and
 * {@code y}, each a {@code .npy}; 201 with the dataset's summary and its {@code Location}), list,
 * get and delete (409 while a running training uses it). The parts are streamed to files, checked,
 * and stored under their content hash.
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" -F x=@x.npy -F y=@y.npy http://127.0.0.1:8080/v1/datasets
 * {"id":"9c41d07be2f05a13","examples":1000,"x_shape":[1000,20],"x_dtype":"float32","y_shape":[1000],"y_dtype":"int64"}
 * }</pre>
 */
public final class DatasetRoutes {
    private final DatasetStore store;
    private final DatasetUsage usedBy;

    /** Routes over {@code store}; deleting a dataset that {@code usedBy} names a user of is refused (409). */
    public DatasetRoutes(DatasetStore store, DatasetUsage usedBy) {
        this.store = store;
        this.usedBy = usedBy;
    }

    /** The 404 of an unknown dataset id. */
    public static ApiProblem noDataset(String id) {
        return ApiProblem.of(ProblemType.NOT_FOUND, "no dataset '" + id + "'; GET /v1/datasets lists the stored datasets");
    }

    /** {@code POST /v1/datasets}. */
    public Mono<ServerResponse> upload(ServerRequest request) {
        return Mono.defer(() -> {
            Multipart.requireMultipart(request, "x", "y");
            return Multipart.read(request, Set.of("x", "y"))
                    .flatMap(parts -> Mono.fromCallable(store::incoming).subscribeOn(Schedulers.boundedElastic())
                            .flatMap(in -> write(parts, in)
                                    .then(Mono.fromCallable(() -> save(in)).subscribeOn(Schedulers.boundedElastic()))
                                    .doOnError(e -> store.discard(in))
                                    .doOnCancel(() -> store.discard(in))))
                    .flatMap(saved -> ServerResponse.created(URI.create("/v1/datasets/" + saved.dataset().id()))
                            .bodyValue(saved.dataset().summary()));
        });
    }

    private static Mono<Void> write(Map<String, Part> parts, Path in) {
        return DataBufferUtils.write(parts.get("x").content(), in.resolve(DatasetStore.X))
                .then(DataBufferUtils.write(parts.get("y").content(), in.resolve(DatasetStore.Y)));
    }

    private DatasetStore.Saved save(Path in) {
        try {
            return store.save(in);
        } catch (DatasetStore.InvalidDatasetException e) {
            throw ApiProblem.of(ProblemType.BAD_INPUT, e.getMessage(), e);
        }
    }

    /** {@code GET /v1/datasets}: {@code {"datasets": [...]}}, by id. */
    public Mono<ServerResponse> list(ServerRequest request) {
        return Mono.fromCallable(() -> store.list().stream().map(StoredDataset::summary).toList())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("datasets", all)));
    }

    /** {@code GET /v1/datasets/{id}}. */
    public Mono<ServerResponse> get(ServerRequest request) {
        String id = request.pathVariable("id");
        return Mono.fromCallable(() -> store.find(id).orElseThrow(() -> noDataset(id)))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(d -> ServerResponse.ok().bodyValue(d.summary()));
    }

    /** {@code DELETE /v1/datasets/{id}}: 204, 404, or 409 while a running training uses it. */
    public Mono<ServerResponse> delete(ServerRequest request) {
        String id = request.pathVariable("id");
        return Mono.fromCallable(() -> {
            String user = usedBy.usedBy(id);
            if (user != null && store.find(id).isPresent()) {
                throw ApiProblem.of(ProblemType.CONFLICT, "dataset '" + id + "' is used by " + user + "; cancel or finish it first");
            }
            return store.delete(id);
        }).subscribeOn(Schedulers.boundedElastic())
                .flatMap(deleted -> deleted ? ServerResponse.noContent().build() : Mono.error(noDataset(id)));
    }
}
