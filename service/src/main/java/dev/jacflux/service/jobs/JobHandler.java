package dev.jacflux.service.jobs;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.PerSample;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.BatchFailure;
import dev.jacflux.pipeline.InputChecks;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.PipelineResult;
import dev.jacflux.service.ServiceProperties;
import dev.jacflux.service.models.ModelRoutes;
import dev.jacflux.service.models.ModelStore;
import dev.jacflux.service.models.StoredModel;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.service.streaming.NpyBatchReader;
import dev.jacflux.model.io.NpyHeader;
import dev.jacflux.service.streaming.NpyResultWriter;
import dev.jacflux.service.web.Multipart;
import dev.jacflux.service.web.RequestResources;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /v1/models/{id}/jacobian} and {@code POST /v1/models/{id}/grads}: checks the query,
 * finds the model (404), takes a job slot (429), reads and checks the whole input as it arrives
 * (400 for a malformed {@code .npy}, a wrong shape, NaN under the reject policy; 422 as soon as the
 * header shows a result over the limit), cuts it into batches of {@code jacflux.batch-size} and
 * runs them through the shared pipeline. The first batch is computed before the answer starts, so
 * that a job that cannot run still gets a problem answer; then the {@code .npy} header of the whole
 * result is written and each batch's rows follow as they finish, in order.
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-npy' --data-binary @x.npy \
 *      -o J.npy "http://127.0.0.1:8080/v1/models/$ID/jacobian?wrt=input&dtype=float32"
 * }</pre>
 */
public final class JobHandler {
    /** The {@code .npy} media type. */
    public static final MediaType NPY = MediaType.parseMediaType("application/x-npy");
    private static final Logger LOG = LoggerFactory.getLogger(JobHandler.class);

    private final ModelStore store;
    private final JobPipelines pipelines;
    private final JobSlots slots;
    private final ServiceProperties properties;
    private final PipelineConfig config;
    private final JobMeters meters;
    private final List<JobResultListener> resultListeners;

    /** A handler over these collaborators. */
    public JobHandler(ModelStore store, JobPipelines pipelines, JobSlots slots, ServiceProperties properties, PipelineConfig config,
            JobMeters meters) {
        this(store, pipelines, slots, properties, config, meters, List.of());
    }

    /** A handler over these collaborators that tells {@code resultListeners} of each batch result written. */
    public JobHandler(ModelStore store, JobPipelines pipelines, JobSlots slots, ServiceProperties properties, PipelineConfig config,
            JobMeters meters, List<JobResultListener> resultListeners) {
        this.store = store;
        this.pipelines = pipelines;
        this.slots = slots;
        this.properties = properties;
        this.config = config;
        this.meters = meters;
        this.resultListeners = List.copyOf(resultListeners);
    }

    /** {@code POST /v1/models/{id}/jacobian?wrt=input|params&full=false&dtype=float32|float64}, body: the input {@code .npy}. */
    public Mono<ServerResponse> jacobian(ServerRequest request) {
        return Mono.defer(() -> {
            JobQuery query = JobQuery.jacobian(request.queryParams());
            return start(request, query).flatMap(job -> NpyBatchReader
                    .read(request.body(BodyExtractors.toDataBuffers()), job.where, job.rowsPerBlock(), job::checkInput)
                    .flatMap(input -> job.run(request, input, null)));
        });
    }

    /** {@code POST /v1/models/{id}/grads?loss=cross_entropy|mse&norms=false&dtype=...}, multipart parts {@code input} and {@code targets}. */
    public Mono<ServerResponse> grads(ServerRequest request) {
        return Mono.defer(() -> {
            JobQuery query = JobQuery.grads(request.queryParams());
            Multipart.requireMultipart(request, "input", "targets");
            return start(request, query).flatMap(job -> Multipart.read(request, Set.of("input", "targets"))
                    .flatMap(parts -> grads(request, job, parts.get("input"), parts.get("targets"))));
        });
    }

    private Mono<ServerResponse> grads(ServerRequest request, Job job, Part input, Part targets) {
        return NpyBatchReader.readWhole(targets.content(), TargetChecks.PART, h -> TargetChecks.header(job.query.loss(), job.architecture(), h))
                .flatMap(t -> {
                    INDArray all = t.blocks().isEmpty() ? null : t.blocks().get(0);
                    long count = t.header().rows();
                    return NpyBatchReader.read(input.content(), job.where, job.rowsPerBlock(), h -> {
                        job.checkInput(h);
                        if (h.rows() != count) {
                            throw ApiProblem.of(ProblemType.BAD_INPUT, TargetChecks.PART + ": wrong length: " + count
                                    + " targets for the " + h.rows() + " samples of part 'input'");
                        }
                    }).map(in -> new Inputs(in, TargetChecks.values(job.query.loss(), job.architecture(), all, count, job.dtype())));
                })
                .flatMap(in -> job.run(request, in.input(), in.targets()));
    }

    /** The decoded parts of a gradients request. */
    private record Inputs(NpyBatchReader.Blocks input, INDArray targets) {
    }

    /** Query checked; now the model (404), a slot (429) and the model's weights in the job's precision. */
    private Mono<Job> start(ServerRequest request, JobQuery query) {
        String id = request.pathVariable("id");
        return Mono.fromCallable(() -> store.find(id))
                .subscribeOn(Schedulers.boundedElastic())
                .map(found -> found.orElseThrow(() -> ModelRoutes.noModel(id)))
                .map(stored -> {
                    JobSlots.Slot slot = slots.tryAcquire().orElseThrow(() -> {
                        meters.rejected();
                        return ApiProblem.withHeaders(ProblemType.TOO_MANY_JOBS,
                                slots.capacity() + " jobs are running already (jacflux.limits.max-concurrent-jobs); retry after "
                                        + properties.limits().retryAfter() + " s",
                                Map.of("Retry-After", Integer.toString(properties.limits().retryAfter())));
                    });
                    RequestResources.register(request.exchange(), slot);
                    return new Job(query, stored, slot);
                })
                .flatMap(job -> Mono.fromCallable(() -> job.load(store.load(id, job.dtype()))).subscribeOn(Schedulers.boundedElastic()));
    }

    /** One request's job. */
    private final class Job {
        final JobQuery query;
        final StoredModel stored;
        final JobSlots.Slot slot;
        final String where;
        Model model;

        Job(JobQuery query, StoredModel stored, JobSlots.Slot slot) {
            this.query = query;
            this.stored = stored;
            this.slot = slot;
            this.where = query.loss() == null ? "body" : "part 'input'";
        }

        DataType dtype() {
            return InputChecks.dtype(query.precision());
        }

        dev.jacflux.model.Sequential architecture() {
            return stored.architecture();
        }

        long rowsPerBlock() {
            return query.kind() == JobKind.FULL_JACOBIAN ? Long.MAX_VALUE : properties.batchSize();
        }

        Job load(Model m) {
            this.model = m;
            String what = switch (query.kind()) {
                case BATCH_JACOBIAN -> "batch jacobian";
                case FULL_JACOBIAN -> null;
                default -> "per-sample " + (query.kind() == JobKind.PER_SAMPLE_PARAM_JACOBIAN ? "parameter jacobian" : "gradients");
            };
            if (what != null) {
                try {
                    PerSample.requireIndependentSamples(m, what);
                } catch (ModelException e) {
                    throw ApiProblem.of(ProblemType.BAD_INPUT, "model " + stored.id() + ": " + e.getMessage()
                            + (query.kind() == JobKind.BATCH_JACOBIAN ? " Or ask for the full Jacobian with full=true." : ""), e);
                }
            }
            return this;
        }

        /** The input header against the model; the result size against the limit. */
        void checkInput(NpyHeader h) {
            long[] want = architecture().inputShape();
            long[] got = h.shape();
            if (!h.isFloat()) {
                throw bad(where + ": wrong dtype " + h.numpyDtype() + "; expected float32 or float64");
            }
            if (got.length != want.length + 1 || !Arrays.equals(Arrays.copyOfRange(got, 1, got.length), want)) {
                throw bad(where + ": input shape " + Shapes.str(got) + " does not match the model's input_shape " + Shapes.str(want)
                        + "; expected [B, " + Shapes.str(want).substring(1));
            }
            if (got[0] < 1) {
                throw bad(where + ": empty batch, shape " + Shapes.str(got) + "; expected at least one sample");
            }
            long[] shape = ResultShape.of(query.kind(), architecture(), got[0]);
            long bytes = ResultShape.bytes(shape, dtype().width());
            long max = properties.limits().maxResultSize().bytes();
            if (bytes > max) {
                throw ApiProblem.of(ProblemType.RESULT_TOO_LARGE, "the result " + Shapes.str(shape) + " " + query.dtypeName() + " would be "
                        + (bytes == Long.MAX_VALUE ? "more than 2^63" : Long.toString(bytes)) + " bytes, over jacflux.limits.max-result-size "
                        + properties.limits().maxResultSize() + " (" + max + " bytes); send fewer samples per request");
            }
        }

        Mono<ServerResponse> run(ServerRequest request, NpyBatchReader.Blocks input, INDArray targets) {
            return Mono.fromCallable(() -> batches(request, input, targets))
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(batches -> {
                        JacobianPipeline pipeline = pipelines.pipeline(query.kind(), query.precision());
                        long[] shape = ResultShape.of(query.kind(), architecture(), input.header().rows());
                        NpyHeader answer = NpyResultWriter.header(dtype(), shape);
                        return pipeline.processOne(batches.get(0)).flatMap(first -> {
                            if (first instanceof BatchFailure f) {
                                return Mono.error(problem(f));
                            }
                            Flux<PipelineResult> all = Flux.concat(Mono.just(first),
                                    pipeline.process(Flux.fromIterable(batches.subList(1, batches.size()))));
                            AtomicInteger written = new AtomicInteger();
                            Flux<org.springframework.core.io.buffer.DataBuffer> body = NpyResultWriter
                                    .write(answer, all, request.exchange().getResponse().bufferFactory(), r -> {
                                        written.incrementAndGet();
                                        tellListeners(request, r);
                                    })
                                    .doFinally(signal -> {
                                        if (signal == SignalType.CANCEL) {
                                            int dropped = batches.size() - written.get();
                                            meters.cancelled(dropped);
                                            LOG.info("request {}: the client went away after {} of {} batches; {} batches cancelled",
                                                    request.exchange().getRequest().getId(), written.get(), batches.size(), dropped);
                                        }
                                        slot.close();
                                    });
                            return ServerResponse.ok()
                                    .contentType(NPY)
                                    .contentLength(NpyResultWriter.contentLength(answer))
                                    .headers(h -> h.setContentDisposition(ContentDisposition.attachment()
                                            .filename(query.loss() == null ? "jacobian.npy" : "grads.npy").build()))
                                    .body(BodyInserters.fromDataBuffers(body));
                        });
                    });
        }

        /** Tells each {@link JobResultListener} of a written result; a listener's failure never affects the answer. */
        private void tellListeners(ServerRequest request, JacobianResult r) {
            for (JobResultListener l : resultListeners) {
                try {
                    l.resultWritten(request.exchange().getRequest().getId(), stored, query.kind(), r.array());
                } catch (RuntimeException e) {
                    LOG.warn("request {}: result listener {} failed: {}", request.exchange().getRequest().getId(), l, e.toString());
                }
            }
        }

        /** The input's blocks admitted (precision, non-finite policy) and labelled as batches of this request. */
        private List<Batch> batches(ServerRequest request, NpyBatchReader.Blocks input, INDArray targets) {
            Precision precision = query.precision();
            JobRouter.Registration registration = pipelines.router().register(model, query.loss() == null ? null : query.loss().loss());
            RequestResources.register(request.exchange(), registration);
            String prefix = request.exchange().getRequest().getId() + "/";
            List<Batch> out = new ArrayList<>();
            long start = 0;
            for (INDArray block : input.blocks()) {
                long end = start + block.size(0);
                String id = prefix + out.size();
                INDArray t = targets == null ? null : rows(targets, start, end);
                Batch b = new Batch(id, block, t, registration.attributes());
                INDArray x;
                try {
                    x = InputChecks.admit(b, precision, config.nonFinitePolicy());
                } catch (IllegalArgumentException e) {
                    throw bad(where + ", samples " + start + ".." + (end - 1) + ": " + e.getMessage());
                }
                out.add(x == block ? b : new Batch(id, x, t, registration.attributes()));
                start = end;
            }
            return out;
        }

        private ApiProblem problem(BatchFailure f) {
            String detail = where + ": " + f.message();
            return switch (f.reason()) {
                case SHAPE, NON_FINITE -> bad(detail);
                case BUDGET -> ApiProblem.of(ProblemType.RESULT_TOO_LARGE, detail + "; raise jacflux.memory-budget or lower jacflux.batch-size",
                        f.cause());
                default -> {
                    LOG.error("model {} {}: batch {} failed: {}", stored.id(), query.kind().configName(), f.batchId(), f.message(), f.cause());
                    yield ApiProblem.of(ProblemType.INTERNAL, "internal error computing batch " + f.batchId()
                            + "; the server log has the details", f.cause());
                }
            };
        }
    }

    private static INDArray rows(INDArray a, long start, long end) {
        if (start == 0 && end == a.size(0)) {
            return a;
        }
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(start, end);
        for (int i = 1; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return a.get(idx).dup('c');
    }

    private static ApiProblem bad(String detail) {
        return ApiProblem.of(ProblemType.BAD_INPUT, detail);
    }
}
