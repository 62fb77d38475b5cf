package dev.jacflux.pipeline;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.config.ErrorPolicy;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.Ordering;
import dev.jacflux.config.PipelineConfig;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.nd4j.linalg.factory.Nd4j;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The reactive pipeline: {@code Flux<Batch> -> Flux<PipelineResult>}, exactly one output per input
 * batch.
 *
 * <p>A batch flows through stages as a chain of Reactor operators with an immutable record between
 * each: the forward stage ({@code Batch -> ForwardPass}) admits the batch (shape, precision,
 * non-finite policy) and runs the forward pass on a rail; the chunk stage fans the job's
 * {@link RowChunk}s out over the rails ({@code flatMap}, at most
 * {@code max(1, chunksInFlight / batchesInFlight)} at once), each writing its rows straight into
 * its slot of the result array ({@code ChunkTimes}); the assembly stage finishes the result
 * ({@link JacobianResult}, with the batch id, the array and {@link StageTimings}). A batch whose
 * rows fit one chunk runs entirely on the rail of its forward pass. The result array is a
 * resource of the batch ({@code Mono.usingWhen}) that each running chunk also holds: it returns to
 * the {@link ResultBuffers pool} only when the last holder lets go, so no result ever shares memory
 * with a failed or cancelled batch whose chunks are still running in native code. The listener
 * hears each batch through a Reactor signal listener ({@code Mono.tap}) and each chunk from the
 * chunk stage, never Micrometer directly.
 *
 * <p>Bounds: at most {@code batchesInFlight} batches are admitted at once (a slow subscriber slows
 * the source); the memory budget is divided among the {@code chunksInFlight} chunks, so the
 * working memory stays within the budget plus the results. Errors in one batch, including running
 * out of memory (a Java {@link OutOfMemoryError} or a native allocation failure, reason
 * {@link FailureReason#BUDGET}), become a {@link BatchFailure} and the stream goes on, unless the
 * error policy is fail-fast ({@link PipelineException}). Cancelling stops admitting batches and
 * starting chunks; chunks already running finish on their rail (native code cannot be stopped),
 * and the rails are never interrupted.
 *
 * <pre>{@code
 * PipelineConfig config = PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).parallelism(2).build();
 * try (JacobianPipeline pipeline = JacobianPipeline.create(config, JobDefinitions.batchJacobian(f), listener)) {
 *     pipeline.process(Flux.range(0, 10).map(i -> Batch.of("b" + i, nextInput())))
 *             .doOnNext(r -> System.out.println(r.batchId() + " " + r.isSuccess()))
 *             .blockLast();
 * }
 * }</pre>
 */
public final class JacobianPipeline implements Function<Flux<Batch>, Flux<PipelineResult>>, AutoCloseable {
    private final PipelineConfig config;
    private final PipelineListener listener;
    private final ExecutorService rails;
    private final Scheduler scheduler;
    private final ResultBuffers buffers;
    private final int chunksPerBatch;
    private final JobLimits limits;
    private final String job;
    private final ForwardStage forward;
    private final ChunkStage chunkStage;
    private final AssemblyStage assembly;
    private final Failures failures;

    private JacobianPipeline(PipelineConfig config, JobDefinition definition, PipelineListener listener) {
        if (config.job() != definition.kind()) {
            throw new IllegalArgumentException("pipeline: configuration asks for job '" + config.job().configName()
                    + "' but the job definition computes '" + definition.kind().configName() + "'");
        }
        this.config = config;
        this.listener = GuardedListener.of(listener);
        this.job = config.job().configName();
        // one shared queue: a free rail takes the next task. Tasks are never interrupted: a cancelled
        // task that has not started is skipped, one that has started runs to its end (native code
        // cannot be stopped, and an interrupt could hit the rail's next task)
        // (handed to Reactor as a plain Executor: given an ExecutorService, it cancels with interrupts)
        this.rails = Executors.newFixedThreadPool(config.parallelism(), railThreads());
        this.scheduler = Schedulers.fromExecutor(rails::execute);
        this.buffers = new ResultBuffers(config.batchesInFlight() + 1);
        this.chunksPerBatch = Math.max(1, config.chunksInFlight() / config.batchesInFlight());
        int concurrentChunks = chunksPerBatch * config.batchesInFlight();
        this.limits = new JobLimits(config.chunkSize(), Math.max(1, config.memoryBudgetBytes() / concurrentChunks));
        this.forward = new ForwardStage(config, definition, limits, this.listener);
        this.chunkStage = new ChunkStage(this.listener, job);
        this.assembly = new AssemblyStage(config.job());
        this.failures = new Failures(config, concurrentChunks);
        if (config.nd4jThreads() > 0) {
            Nd4j.getEnvironment().setMaxMasterThreads(config.nd4jThreads());
            Nd4j.getEnvironment().setMaxThreads(config.nd4jThreads());
            Nd4j.factory().blas().setMaxThreads(config.nd4jThreads());
        }
    }

    private static ThreadFactory railThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "jacflux-rail-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A pipeline for the given configuration and job, reporting to {@code listener} (may be null). */
    public static JacobianPipeline create(PipelineConfig config, JobDefinition definition, PipelineListener listener) {
        return new JacobianPipeline(config, definition, listener);
    }

    /** A pipeline without a listener. */
    public static JacobianPipeline create(PipelineConfig config, JobDefinition definition) {
        return new JacobianPipeline(config, definition, null);
    }

    /** The configuration. */
    public PipelineConfig config() {
        return config;
    }

    /** The per-chunk limits derived from the configuration (chunk size, per-chunk budget). */
    public JobLimits limits() {
        return limits;
    }

    /** The pool results are drawn from (see {@link JacobianResult#release()}). */
    public ResultBuffers buffers() {
        return buffers;
    }

    @Override
    public Flux<PipelineResult> apply(Flux<Batch> batches) {
        return process(batches);
    }

    /** Processes a stream of batches: one result or failure per batch. */
    public Flux<PipelineResult> process(Flux<Batch> batches) {
        int concurrency = config.batchesInFlight();
        Flux<PipelineResult> out = config.ordering() == Ordering.INPUT_ORDER
                ? batches.flatMapSequential(this::processOne, concurrency, 1)
                : batches.flatMap(this::processOne, concurrency, 1);
        if (config.errorPolicy() == ErrorPolicy.FAIL_FAST) {
            out = out.handle((r, sink) -> {
                if (r instanceof BatchFailure f) {
                    sink.error(new PipelineException(f));
                } else {
                    sink.next(r);
                }
            });
        }
        return out;
    }

    /**
     * Processes one batch (for services handling requests one at a time): emits its
     * {@link JacobianResult} or its {@link BatchFailure}, never an error.
     */
    public Mono<PipelineResult> processOne(Batch batch) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return Mono.fromCallable(() -> forward.apply(batch))
                    .subscribeOn(scheduler)
                    .flatMap(fp -> Mono.usingWhen(
                            Mono.fromCallable(() -> StageError.guard("the result array " + Shapes.str(fp.job().resultShape()) + " "
                                    + fp.job().dtype(), () -> ResultLease.acquire(buffers, fp.job()))),
                            lease -> chunks(fp, lease).map(times -> assembly.apply(fp, lease, times, start)),
                            ResultLease::releasing,
                            (lease, error) -> lease.releasing(),
                            ResultLease::releasing))
                    .<PipelineResult>map(r -> r)
                    .onErrorResume(e -> Mono.just(failures.of(batch, e)))
                    .tap(() -> new BatchObservation(listener, job, batch.samples(), start));
        });
    }

    /** The chunk stage of one batch: its chunks' times summed, once every chunk has written its rows. */
    private Mono<ChunkTimes> chunks(ForwardPass fp, ResultLease lease) {
        List<RowChunk> plan = fp.job().chunks();
        if (plan.size() == 1) {
            // nothing to fan out: stay on the rail that ran the forward pass (no thread hop, warm caches)
            return Mono.fromCallable(() -> chunkStage.run(fp.job(), plan.get(0), lease));
        }
        return Flux.fromIterable(plan)
                .flatMap(c -> Mono.fromCallable(() -> chunkStage.run(fp.job(), c, lease)).subscribeOn(scheduler), chunksPerBatch, 1)
                .reduce(ChunkTimes.NONE, ChunkTimes::plus);
    }

    /** Stops the rails once the tasks already given to them have run; later batches fail. */
    @Override
    public void close() {
        scheduler.dispose();
        rails.shutdown();
    }

    /** The low-cardinality cause of a failure. */
    static FailureReason classify(Throwable e) {
        return Failures.classify(e);
    }

    /** The kind of job this pipeline runs. */
    public JobKind job() {
        return config.job();
    }
}
