package dev.jacflux.pipeline;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.ChunkRows;
import dev.jacflux.autodiff.transforms.JacobianOptions;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.config.JobKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch-Jacobian job of the fixture MLP followed by a {@link Gate} whose hooks are chosen per
 * batch id (no hooks for ids without an entry), and the direct library call it must equal. The
 * job writes each chunk straight into the result ({@link StagedJob#computeInto}), so once the
 * listener reports a chunk ended, its rows have landed.
 *
 * <pre>{@code
 * GatedJobs jobs = new GatedJobs();
 * jobs.hooks.put("bad", throwingHooks);
 * JacobianPipeline p = JacobianPipeline.create(config, jobs.definition());
 * }</pre>
 */
final class GatedJobs {
    final Map<String, Gate.Hooks> hooks = new ConcurrentHashMap<>();
    private final Function<Tensor, Tensor> mlp = Fixtures.mlp(DataType.DOUBLE);

    /** The job: chunks as the pipeline's limits say. */
    JobDefinition definition() {
        return JobDefinitions.of(JobKind.BATCH_JACOBIAN, (batch, dtype, limits) -> {
            Gate.Hooks h = hooks.getOrDefault(batch.id(), Gate.Hooks.NONE);
            StagedJob job = BatchJacobian.of(x -> Gate.apply(mlp.apply(x), h),
                    JacobianOptions.DEFAULT.withChunkSize(limits.chunkSize()).withMemoryBudget(limits.memoryBudgetBytes()))
                    .prepare(batch.input());
            return new DirectWrites(job, h);
        });
    }

    /** The direct library call without the gate (the identity): what every result must equal. */
    static INDArray direct(INDArray x) {
        return BatchJacobian.of(Fixtures.mlp(DataType.DOUBLE)).compute(x);
    }

    /**
     * Waits for {@code latch} like native code would: an interrupt (a cancelled task) does not stop
     * it. Fails the test if the latch is not released within {@link RecordingListener#LIMIT}.
     *
     * @return whether the thread was interrupted while it waited (the interrupt is kept)
     */
    static boolean hold(CountDownLatch latch) {
        long deadline = System.nanoTime() + RecordingListener.LIMIT.toNanos();
        boolean interrupted = false;
        try {
            while (latch.getCount() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("gate: never released");
                }
                try {
                    latch.await(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return interrupted || Thread.currentThread().isInterrupted();
    }

    /** The staged job, writing each chunk directly into the result. */
    private record DirectWrites(StagedJob job, Gate.Hooks hooks) implements StagedJob {
        @Override
        public String kind() {
            return job.kind();
        }

        @Override
        public long samples() {
            return job.samples();
        }

        @Override
        public List<RowChunk> chunks() {
            return job.chunks();
        }

        @Override
        public ChunkRows compute(RowChunk chunk) {
            return job.compute(chunk);
        }

        @Override
        public void assemble(ChunkRows rows, INDArray result) {
            job.assemble(rows, result);
        }

        @Override
        public long[] resultShape() {
            return hooks.resultShape(job.resultShape());
        }

        @Override
        public DataType dtype() {
            return job.dtype();
        }

        @Override
        public boolean writesDirectly() {
            return true;
        }

        @Override
        public void computeInto(RowChunk chunk, INDArray result) {
            job.computeInto(chunk, result);
        }
    }
}
