package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.transforms.ChunkPlanner;
import dev.jacflux.autodiff.transforms.ChunkRows;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
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
public final class LayerGradientsJob implements StagedJob {
    private final Model model;
    private final Loss loss;
    private final INDArray x;
    private final INDArray targets;
    private final GhostStrategy strategy;
    private final List<RowChunk> chunks;

    /**
     * Validates (refusing models that couple samples) and plans chunks.
     *
     * @param x a batch {@code [N, *inputShape]} of the model's dtype
     * @param targets targets with {@code N} rows, or {@code null}
     */
    public LayerGradientsJob(Model model, Loss loss, INDArray x, INDArray targets, PerSampleOptions options, GhostStrategy strategy) {
        PerSample.requireIndependentSamples(model, "per-sample gradients");
        model.architecture().checkInput(x.shape());
        this.model = model;
        this.loss = loss;
        this.x = x;
        this.targets = targets;
        this.strategy = strategy;
        // working memory only: the rows themselves are written straight into the result (computeInto),
        // which the caller holds and which a memory budget does not count
        long bytes = options.samplesPerChunk() > 0 || options.memoryBudgetBytes() == 0 ? 0
                : GhostPass.bytesPerSample(model, loss, x, targets, strategy);
        this.chunks = ChunkPlanner.plan(x.size(0), options.samplesPerChunk(), options.memoryBudgetBytes(), bytes);
    }

    /** The column layout of the result. */
    public ParameterLayout layout() {
        return model.layout();
    }

    @Override
    public String kind() {
        return "per-sample-gradients";
    }

    @Override
    public long samples() {
        return x.size(0);
    }

    @Override
    public List<RowChunk> chunks() {
        return chunks;
    }

    /** The chunk's per-layer factors (see the class comment). */
    @Override
    public ChunkRows compute(RowChunk chunk) {
        GhostPass pass = GhostPass.run(model, loss, chunk.rowsOf(x), targets == null ? null : chunk.rowsOf(targets), strategy);
        return new ChunkRows(chunk, pass.perSampleFactors());
    }


    /** Computes a chunk and writes its rows straight into the result (the factors are the only intermediate). */
    @Override
    public void computeInto(RowChunk chunk, INDArray result) {
        assemble(compute(chunk), result);
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

    @Override
    public DataType dtype() {
        return model.dtype();
    }
}
