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
 * Method builders shared by the cases: the {@code pipeline} method (one batch per run through a
 * {@link JacobianPipeline}, the previous run's result released back to the pool) and a plain
 * method from a supplier (for {@code loop}s that return fresh arrays).
 *
 * <pre>{@code
 * BenchMethod p = Methods.pipeline(JobDefinitions.fullJacobian(f), JobKind.FULL_JACOBIAN, () -> Batch.of("x", x), options);
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
        return BenchMethod.of("pipeline", () -> {
            PipelineConfig base = options.pipelineConfig() == null ? PipelineConfig.defaults() : options.pipelineConfig();
            PipelineConfig config = base.toBuilder().job(kind).build();
            JacobianPipeline pipeline = JacobianPipeline.create(config, definition);
            return new PipelineRun(pipeline, batch);
        });
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
