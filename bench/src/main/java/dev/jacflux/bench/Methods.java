package dev.jacflux.bench;

import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.BatchFailure;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.PipelineResult;
import dev.jacflux.pipeline.StageTimings;
import java.util.Locale;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Method builders shared by the cases: the {@code pipeline} and {@code fanout} methods (one batch
 * per run through a {@link JacobianPipeline}, the previous run's result released back to the pool;
 * {@code pipeline} at the options' budget, by default one large enough for the direct call's single
 * chunk, {@code fanout} at the pipeline's default budget, which splits a large job into several
 * chunks on the rails) and a plain method from a supplier (for {@code loop}s that return fresh
 * arrays).
 *
 * <pre>{@code
 * BenchMethod p = Methods.pipeline(JobDefinitions.fullJacobian(f), JobKind.FULL_JACOBIAN, () -> Batch.of("x", x), options);
 * BenchMethod f = Methods.fanout(JobDefinitions.fullJacobian(f), JobKind.FULL_JACOBIAN, () -> Batch.of("x", x), options);
 * BenchMethod loop = Methods.plain("loop", () -> RowLoop.jacobian(f, x));
 * }</pre>
 */
public final class Methods {
    private Methods() {
    }

    /**
     * The {@code jacflux} method of a batch-Jacobian case: {@code BatchJacobian.of(f).compute(x, out)}
     * into a result buffer of {@code outShape} allocated once in the setup.
     */
    public static BenchMethod batchJacobian(java.util.function.Function<dev.jacflux.autodiff.Tensor, dev.jacflux.autodiff.Tensor> f,
            INDArray x, long... outShape) {
        return BenchMethod.of("jacflux", () -> {
            INDArray out = org.nd4j.linalg.factory.Nd4j.createUninitialized(x.dataType(), outShape);
            dev.jacflux.autodiff.transforms.BatchJacobian jac = dev.jacflux.autodiff.transforms.BatchJacobian.of(f);
            int chunks = jac.prepare(x).chunks().size();
            return new BenchMethod.Prepared() {
                @Override
                public INDArray run() {
                    return jac.compute(x, out);
                }

                @Override
                public String note() {
                    return chunks + (chunks == 1 ? " chunk" : " chunks");
                }
            };
        });
    }

    /**
     * The {@code jacflux-fresh} method: the library call without an output buffer (what users call
     * first), returning a fresh result every run.
     */
    public static BenchMethod fresh(Supplier<INDArray> call) {
        return plain("jacflux-fresh", call);
    }

    /** A method whose run is {@code run.get()} and whose setup is nothing. */
    public static BenchMethod plain(String name, Supplier<INDArray> run) {
        return BenchMethod.of(name, () -> run::get);
    }

    /**
     * The {@code pipeline} method: a pipeline of the options' configuration (job kind replaced by
     * {@code kind}), created in the setup; each run processes one batch and blocks for its result;
     * the result of the previous run is released first, so its buffer is reused.
     */
    public static BenchMethod pipeline(JobDefinition definition, JobKind kind, Supplier<Batch> batch, BenchOptions options) {
        return pipelineMethod("pipeline", definition, batch, config(options).toBuilder().job(kind).build());
    }

    /**
     * The {@code fanout} method: the {@code pipeline} method with the pipeline's default memory
     * budget ({@link PipelineConfig#DEFAULT_MEMORY_BUDGET_BYTES}, shared by the chunks in flight),
     * the rest of the options' configuration kept; a large job then runs as several chunks on the
     * rails at once, so this measures what the fan-out gains or costs against the direct call.
     */
    public static BenchMethod fanout(JobDefinition definition, JobKind kind, Supplier<Batch> batch, BenchOptions options) {
        return pipelineMethod("fanout", definition, batch,
                config(options).toBuilder().job(kind).memoryBudgetBytes(PipelineConfig.DEFAULT_MEMORY_BUDGET_BYTES).build());
    }

    private static PipelineConfig config(BenchOptions options) {
        return options.pipelineConfig() == null ? PipelineConfig.defaults() : options.pipelineConfig();
    }

    private static BenchMethod pipelineMethod(String name, JobDefinition definition, Supplier<Batch> batch, PipelineConfig config) {
        return BenchMethod.of(name, () -> new PipelineRun(JacobianPipeline.create(config, definition), batch));
    }

    private static final class PipelineRun implements BenchMethod.Prepared {
        private final JacobianPipeline pipeline;
        private final Supplier<Batch> batch;
        private JacobianResult last;

        PipelineRun(JacobianPipeline pipeline, Supplier<Batch> batch) {
            this.pipeline = pipeline;
            this.batch = batch;
        }

        @Override
        public INDArray run() {
            if (last != null) {
                last.release();
                last = null;
            }
            PipelineResult r = pipeline.processOne(batch.get()).block();
            if (r instanceof BatchFailure f) {
                throw new BenchmarkException("pipeline failed on batch " + f.batchId() + " (" + f.reason() + "): " + f.message(), f.cause());
            }
            last = (JacobianResult) r;
            return last.array();
        }

        @Override
        public String note() {
            if (last == null) {
                return "";
            }
            StageTimings t = last.timings();
            return String.format(Locale.ROOT, "%d chunk%s on %d rails; last run: forward %.1f, vjp %.1f, assembly %.1f ms", t.chunks(),
                    t.chunks() == 1 ? "" : "s", pipeline.config().parallelism(), t.forward().toNanos() / 1e6, t.vjp().toNanos() / 1e6,
                    t.assembly().toNanos() / 1e6);
        }

        @Override
        public void close() {
            if (last != null) {
                last.release();
                last = null;
            }
            pipeline.close();
        }
    }
}
