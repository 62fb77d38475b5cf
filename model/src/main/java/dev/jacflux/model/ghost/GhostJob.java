package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.transforms.ChunkPlanner;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the two layer-aware per-sample jobs share: refusing models that couple samples, checking
 * the input shape, planning chunks of samples (a fixed number per chunk, or as many as the memory
 * budget allows by a one-sample probe of the working memory; the rows written into the caller's
 * result are not working memory), and one {@link GhostPass} per chunk.
 *
 * <pre>{@code
 * GhostNormsJob job = PerSample.gradientNormsJob(model, x, labels, Loss.crossEntropy(), PerSampleOptions.DEFAULT);
 * job.chunks();   // planned here
 * }</pre>
 */
abstract class GhostJob implements StagedJob {
    final Model model;
    final INDArray x;
    private final Loss loss;
    private final INDArray targets;
    private final GhostStrategy strategy;
    private final List<RowChunk> chunks;

    GhostJob(String what, Model model, Loss loss, INDArray x, INDArray targets, PerSampleOptions options, GhostStrategy strategy) {
        PerSample.requireIndependentSamples(model, what);
        model.architecture().checkInput(x.shape());
        this.model = model;
        this.loss = loss;
        this.x = x;
        this.targets = targets;
        this.strategy = strategy;
        long bytes = options.samplesPerChunk() > 0 || options.memoryBudgetBytes() == 0 ? 0
                : GhostPass.bytesPerSample(model, loss, x, targets, strategy);
        this.chunks = ChunkPlanner.plan(x.size(0), options.samplesPerChunk(), options.memoryBudgetBytes(), bytes);
    }

    /** The forward and backward pass of one chunk of samples. */
    GhostPass pass(RowChunk chunk) {
        return GhostPass.run(model, loss, chunk.rowsOf(x), targets == null ? null : chunk.rowsOf(targets), strategy);
    }

    @Override
    public long samples() {
        return x.size(0);
    }

    @Override
    public List<RowChunk> chunks() {
        return chunks;
    }

    @Override
    public DataType dtype() {
        return model.dtype();
    }
}
