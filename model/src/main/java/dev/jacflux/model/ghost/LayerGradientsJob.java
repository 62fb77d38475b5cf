package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.transforms.ChunkRows;
import dev.jacflux.autodiff.transforms.ParameterLayout;
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
 * The per-sample gradient matrix {@code [N, M]} of a model as a {@link StagedJob}: each chunk of
 * samples is one forward pass and one ordinary backward pass to the layer outputs
 * ({@link GhostPass}), after which every parameter layer's
 * {@link dev.jacflux.model.layers.PerSampleRule} writes its per-sample gradients straight into the
 * chunk's rows of the result (dense layers: one broadcast outer product into the result's own
 * memory; convolutions: one small GEMM per sample over im2col columns).
 *
 * <p>{@link #computeInto} writes into the result directly; {@link #compute} (for callers that
 * assemble separately) returns the chunk's rows as one block {@code [n, M]}.
 *
 * <pre>{@code
 * LayerGradientsJob job = PerSample.gradientsJob(model, x, labels, Loss.crossEntropy(), PerSampleOptions.DEFAULT);
 * INDArray matrix = job.runInto(reusedBuffer);     // [N, M]
 * PerSampleResult r = new PerSampleResult(matrix, job.layout());
 * }</pre>
 */
public final class LayerGradientsJob extends GhostJob {
    /**
     * Validates (refusing models that couple samples) and plans chunks.
     *
     * @param x a batch {@code [N, *inputShape]} of the model's dtype
     * @param targets targets with {@code N} rows, or {@code null}
     */
    public LayerGradientsJob(Model model, Loss loss, INDArray x, INDArray targets, PerSampleOptions options, GhostStrategy strategy) {
        super("per-sample gradients", model, loss, x, targets, options, strategy);
    }

    /** The column layout of the result. */
    public ParameterLayout layout() {
        return model.layout();
    }

    @Override
    public String kind() {
        return "per-sample-gradients";
    }

    /** The chunk's rows {@code [n, M]} as one block. */
    @Override
    public ChunkRows compute(RowChunk chunk) {
        INDArray rows = Nd4j.createUninitialized(model.dtype(), chunk.count(), model.parameterCount());
        pass(chunk).writeGradients(rows);
        return new ChunkRows(chunk, rows);
    }

    @Override
    public boolean writesDirectly() {
        return true;
    }

    /** One pass over the chunk's samples, its rows written straight into the result. */
    @Override
    public void computeInto(RowChunk chunk, INDArray result) {
        INDArray rows = result.get(NDArrayIndex.interval(chunk.start(), chunk.end()), NDArrayIndex.all());
        PassMemory.run(() -> pass(chunk).writeGradients(rows));
    }

    /** Copies a block from {@link #compute} into the chunk's rows of the result. */
    @Override
    public void assemble(ChunkRows rows, INDArray result) {
        RowChunk c = rows.chunk();
        result.get(NDArrayIndex.interval(c.start(), c.end()), NDArrayIndex.all()).assign(rows.rows());
    }

    @Override
    public long[] resultShape() {
        return new long[] {x.size(0), model.parameterCount()};
    }
}
