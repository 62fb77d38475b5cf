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
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The per-sample gradient matrix {@code [N, M]} of a model as a {@link StagedJob}, built from
 * per-layer factors: each chunk of samples is one forward pass and one ordinary backward pass to
 * the layer outputs ({@link GhostPass}); {@link #compute} keeps each layer's factors (for a linear
 * layer the output cotangents {@code G [n, out]} and inputs {@code X [n, in]}), and
 * {@link #assemble} writes the rows straight into their columns of the result (the weight rows are
 * the outer products {@code g_b x_b^T}, one broadcast multiply into the result's own memory). Conv
 * layers contribute {@code G_b C_b^T} over im2col columns; other layers a per-sample pullback
 * through the layer alone.
 *
 * <p>The chunk's {@link ChunkRows#blocks()} hold these factors in parameter-layout order: two
 * arrays {@code G, X} for a linear layer on vectors (its bias rows are {@code G}), otherwise one
 * {@code [n, numel]} block per parameter.
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

    /** The chunk's per-layer factors (see the class comment). */
    @Override
    public ChunkRows compute(RowChunk chunk) {
        GhostPass pass = pass(chunk);
        return new ChunkRows(chunk, pass.perSampleFactors());
    }


    @Override
    public boolean writesDirectly() {
        return true;
    }

    /** Writes the chunk's rows of the {@code [N, M]} result from its factors. */
    @Override
    public void assemble(ChunkRows rows, INDArray result) {
        RowChunk c = rows.chunk();
        GhostPass.writePerSample(model, rows.blocks(), result.get(NDArrayIndex.interval(c.start(), c.end()), NDArrayIndex.all()));
    }

    @Override
    public long[] resultShape() {
        return new long[] {x.size(0), model.parameterCount()};
    }
}
