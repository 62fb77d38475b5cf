package dev.jacflux.pipeline;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.MemoryBudgetException;
import dev.jacflux.autodiff.transforms.ChunkRows;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.config.ErrorPolicy;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.Ordering;
import dev.jacflux.config.PipelineConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The reactive pipeline: {@code Flux<Batch> -> Flux<PipelineResult>}, one output per input batch.
 *
 * <p>Stages, each handing an immutable record to the next: the forward stage admits the batch
 * (shape, precision, non-finite policy) and runs the forward pass ({@link ForwardPass}); the job's
 * rows are planned into chunks ({@link RowChunk}); each chunk's batched reverse pass runs on the
 * pipeline's parallel scheduler ({@link ChunkRows}) and is written straight into its slot of the
 * result array; the result ({@link JacobianResult}) carries the batch id, the array and timings.
 * Every stage is built from stock Reactor operators ({@code flatMapSequential}, {@code flatMap}
 * with {@code subscribeOn}); stages report to a {@link PipelineListener}, never to Micrometer
 * directly.
 *
 * <p>Bounds: at most {@code batchesInFlight} batches are admitted at once (a slow subscriber slows
 * the source), each with at most {@code max(1, chunksInFlight / batchesInFlight)} chunks running;
 * the memory budget is divided among those chunks, so the working memory stays within the budget
 * plus the results. Errors in one batch become a {@link BatchFailure} and the stream goes on,
 * unless the error policy is fail-fast ({@link PipelineException}). Cancelling stops admitting
 * batches and starting chunks; what a batch held is released.
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
    private final JobDefinition definition;
    private final PipelineListener listener;
    private final Scheduler scheduler;
    private final ResultBuffers buffers;
    private final int chunksPerBatch;
    private final JobLimits limits;

    private JacobianPipeline(PipelineConfig config, JobDefinition definition, PipelineListener listener) {
        if (config.job() != definition.kind()) {
            throw new IllegalArgumentException("pipeline: configuration asks for job '" + config.job().configName()
                    + "' but the job definition computes '" + definition.kind().configName() + "'");
        }
        this.config = config;
        this.definition = definition;
        this.listener = listener == null ? PipelineListener.NOOP : listener;
        this.scheduler = Schedulers.newParallel("jacflux-rail", config.parallelism(), true);
        this.buffers = new ResultBuffers(config.batchesInFlight() + 1);
        this.chunksPerBatch = Math.max(1, config.chunksInFlight() / config.batchesInFlight());
        long concurrentChunks = (long) chunksPerBatch * config.batchesInFlight();
        this.limits = new JobLimits(config.chunkSize(), Math.max(1, config.memoryBudgetBytes() / concurrentChunks));
        if (config.nd4jThreads() > 0) {
            Nd4j.getEnvironment().setMaxMasterThreads(config.nd4jThreads());
            Nd4j.getEnvironment().setMaxThreads(config.nd4jThreads());
            Nd4j.factory().blas().setMaxThreads(config.nd4jThreads());
        }
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

    /** Processes one batch (for services handling requests one at a time). */
    public Mono<PipelineResult> processOne(Batch batch) {
        return Mono.defer(() -> new BatchRun(batch).run());
    }

    /** Disposes the rail threads. */
    @Override
    public void close() {
        scheduler.dispose();
    }

    /** One batch's passage through the stages, with its listener accounting. */
    private final class BatchRun {
        private final Batch batch;
        private final String job = config.job().configName();
        private final long start = System.nanoTime();
        private final AtomicBoolean reported = new AtomicBoolean();
        private final AtomicLong vjpNanos = new AtomicLong();
        private final AtomicLong assemblyNanos = new AtomicLong();
        private volatile boolean started;
        private volatile INDArray result;

        BatchRun(Batch batch) {
            this.batch = batch;
        }

        Mono<PipelineResult> run() {
            return Mono.fromCallable(this::forward)
                    .subscribeOn(scheduler)
                    .flatMap(this::chunks)
                    .onErrorResume(e -> Mono.just(fail(e)))
                    .doOnCancel(this::cancelled);
        }

        ForwardPass forward() {
            started = true;
            listener.batchStarted(job, batch.samples());
            long t0 = System.nanoTime();
            INDArray x = InputChecks.admit(batch, config.precision(), config.nonFinitePolicy());
            Batch admitted = x == batch.input() ? batch : new Batch(batch.id(), x, batch.targets(), batch.attributes());
            StagedJob staged = definition.prepare(admitted, x.dataType(), limits);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            listener.forwardFinished(job, elapsed);
            return new ForwardPass(admitted, staged, elapsed);
        }

        Mono<PipelineResult> chunks(ForwardPass fp) {
            StagedJob staged = fp.job();
            INDArray out = buffers.acquire(staged.resultShape(), staged.dtype());
            result = out;
            return Flux.fromIterable(staged.chunks())
                    .flatMap(chunk -> Mono.fromRunnable(() -> computeAndAssemble(staged, chunk, out)).subscribeOn(scheduler),
                            chunksPerBatch, 1)
                    .then(Mono.fromCallable(() -> succeed(fp, out)));
        }

        private void computeAndAssemble(StagedJob staged, RowChunk chunk, INDArray out) {
            int rows = (int) chunk.count();
            listener.chunkStarted(job, rows);
            long t0 = System.nanoTime();
            ChunkRows computed = null;
            try {
                if (staged.writesDirectly()) {
                    staged.computeInto(chunk, out);
                } else {
                    computed = staged.compute(chunk);
                }
            } catch (RuntimeException | Error e) {
                listener.chunkAbandoned(job, rows);
                throw e;
            }
            long t1 = System.nanoTime();
            vjpNanos.addAndGet(t1 - t0);
            listener.chunkFinished(job, rows, Duration.ofNanos(t1 - t0));
            if (computed != null) {
                staged.assemble(computed, out);
                assemblyNanos.addAndGet(System.nanoTime() - t1);
            }
        }

        PipelineResult succeed(ForwardPass fp, INDArray out) {
            long t0 = System.nanoTime();
            fp.job().finish(out);
            assemblyNanos.addAndGet(System.nanoTime() - t0);
            Duration total = Duration.ofNanos(System.nanoTime() - start);
            StageTimings timings = new StageTimings(fp.elapsed(), Duration.ofNanos(vjpNanos.get()), Duration.ofNanos(assemblyNanos.get()),
                    total, fp.job().chunks().size());
            if (reported.compareAndSet(false, true)) {
                listener.assemblyFinished(job, timings.assembly());
                listener.batchSucceeded(job, batch.samples(), out.length(), out.length() * out.dataType().width(), total);
            }
            return new JacobianResult(batch.id(), config.job(), out, batch.samples(), timings, batch.attributes(), buffers);
        }

        PipelineResult fail(Throwable e) {
            releaseResult();
            FailureReason reason = classify(e);
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (reported.compareAndSet(false, true)) {
                if (!started) {
                    listener.batchStarted(job, batch.samples());
                }
                listener.batchFailed(job, batch.samples(), reason, Duration.ofNanos(System.nanoTime() - start));
            }
            return new BatchFailure(batch.id(), reason, message, e, batch.attributes());
        }

        void cancelled() {
            releaseResult();
            if (started && reported.compareAndSet(false, true)) {
                listener.batchFailed(job, batch.samples(), FailureReason.CANCELLED, Duration.ofNanos(System.nanoTime() - start));
            }
        }

        private void releaseResult() {
            INDArray r = result;
            result = null;
            if (r != null) {
                buffers.release(r);
            }
        }
    }

    /** The low-cardinality cause of a failure. */
    static FailureReason classify(Throwable e) {
        if (e instanceof NonFiniteInputException) {
            return FailureReason.NON_FINITE;
        }
        if (e instanceof MemoryBudgetException || e instanceof OutOfMemoryError) {
            return FailureReason.BUDGET;
        }
        if (e instanceof AutodiffException || e instanceof IllegalArgumentException) {
            return FailureReason.SHAPE;
        }
        return FailureReason.INTERNAL;
    }

    /** The kind of job this pipeline runs. */
    public JobKind job() {
        return config.job();
    }
}
