package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.transforms.ChunkRows;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-sample gradient norms {@code [N]} of a model as a {@link StagedJob}: each chunk of samples
 * is one {@link GhostPass} (a forward pass and one ordinary backward pass), so the {@code N x M}
 * matrix is never built. Chunks follow {@link PerSampleOptions} (samples per chunk, or a memory
 * budget against an estimate from a one-sample probe).
 *
 * <pre>{@code
 * GhostNormsJob job = PerSample.gradientNormsJob(model, x, labels, Loss.crossEntropy(), PerSampleOptions.DEFAULT);
 * INDArray norms = job.runInto(job.allocateResult());   // [N]
 * }</pre>
 */
public final class GhostNormsJob extends GhostJob {
    /**
     * Validates (refusing models that couple samples) and plans chunks.
     *
     * @param x a batch {@code [N, *inputShape]}
     * @param targets targets with {@code N} rows, or {@code null}
     */
    public GhostNormsJob(Model model, Loss loss, INDArray x, INDArray targets, PerSampleOptions options, GhostStrategy strategy) {
        super("per-sample gradient norms", model, loss, x, targets, options, strategy);
    }

    @Override
    public String kind() {
        return "per-sample-gradient-norms";
    }

    /** The norms of this chunk's samples, {@code [n]}. */
    @Override
    public ChunkRows compute(RowChunk chunk) {
        INDArray norms = Nd4j.createUninitialized(model.dtype(), chunk.count());
        computeInto(chunk, norms, 0);
        return new ChunkRows(chunk, norms);
    }

    @Override
    public boolean writesDirectly() {
        return true;
    }

    /** One pass over the chunk's samples (in reusable pass memory), its norms written into the result. */
    @Override
    public void computeInto(RowChunk chunk, INDArray result) {
        computeInto(chunk, result, chunk.start());
    }

    private void computeInto(RowChunk chunk, INDArray out, long from) {
        INDArray slot = out.get(NDArrayIndex.interval(from, from + chunk.count()));
        PassMemory.runInto(() -> pass(chunk).norms(), slot::assign);
    }


    @Override
    public void assemble(ChunkRows rows, INDArray result) {
        RowChunk c = rows.chunk();
        result.get(NDArrayIndex.interval(c.start(), c.end())).assign(rows.rows());
    }

    @Override
    public long[] resultShape() {
        return new long[] {x.size(0)};
    }

    /** The per-sample matrix that the norms stand for (the result itself is tiny). */
    @Override
    public long work() {
        return x.size(0) * model.parameterCount();
    }
}
