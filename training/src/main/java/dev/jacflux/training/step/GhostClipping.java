package dev.jacflux.training.step;

import dev.jacflux.autodiff.transforms.ChunkPlanner;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.ghost.GhostPass;
import dev.jacflux.model.ghost.GhostStrategy;
import dev.jacflux.training.Phase;
import dev.jacflux.training.PhaseTimer;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Ghost clipping (the default): per chunk of examples one {@link GhostPass} (a forward pass and one
 * ordinary backward pass), ghost norms from the stored layer inputs and output cotangents, clip
 * factors, and the clipped sum as per-layer weighted products ({@code (c ⊙ G)^T X} for a linear
 * layer). The {@code N x M} matrix is never built; the result equals {@link MatrixClipping}'s.
 * The same computation as {@link dev.jacflux.model.DpSgd.Method#GHOST}, with each phase timed.
 *
 * <pre>{@code
 * ClippedSum s = new GhostClipping(Loss.crossEntropy(), 1.0, PerSampleOptions.DEFAULT, GhostStrategy.AUTO)
 *         .clip(model, x, labels, timer);
 * }</pre>
 *
 * <p>With a memory budget the memory per example is probed once, on the first batch, and reused (a
 * training's architecture does not change).
 */
public final class GhostClipping implements Clipping {
    private final Loss loss;
    private final double clipNorm;
    private final PerSampleOptions options;
    private final GhostStrategy strategy;
    private long bytesPerSample = -1;

    /**
     * @param loss the per-example loss
     * @param clipNorm {@code C}
     * @param options chunking (samples per pass or a memory budget)
     * @param strategy how conv layers' ghost norms are computed
     */
    public GhostClipping(Loss loss, double clipNorm, PerSampleOptions options, GhostStrategy strategy) {
        this.loss = loss;
        this.clipNorm = clipNorm;
        this.options = options;
        this.strategy = strategy;
    }

    @Override
    public ClippedSum clip(Model model, INDArray x, INDArray targets, PhaseTimer timer) {
        long n = x.size(0);
        if (n == 0) {
            return Clipping.empty(model);
        }
        long bytes = 0;
        if (options.samplesPerChunk() == 0 && options.memoryBudgetBytes() > 0) {
            if (bytesPerSample < 0) {
                bytesPerSample = GhostPass.bytesPerSample(model, loss, x, targets, strategy);
            }
            bytes = bytesPerSample;
        }
        List<RowChunk> chunks = ChunkPlanner.plan(n, options.samplesPerChunk(), options.memoryBudgetBytes(), bytes);
        List<INDArray> sums = null;
        double[] norms = new double[(int) n];
        double[] losses = new double[(int) n];
        for (RowChunk chunk : chunks) {
            GhostPass pass = timer.time(Phase.FORWARD_BACKWARD,
                    () -> GhostPass.run(model, loss, rows(x, chunk), targets == null ? null : rows(targets, chunk), strategy));
            INDArray chunkNorms = timer.time(Phase.NORMS, pass::norms);
            List<INDArray> part = timer.time(Phase.CLIP, () -> pass.weightedSum(Clipping.factors(chunkNorms, clipNorm)));
            if (sums == null) {
                sums = part;
            } else {
                List<INDArray> acc = sums;
                timer.run(Phase.CLIP, () -> {
                    for (int i = 0; i < part.size(); i++) {
                        acc.get(i).addi(part.get(i));
                    }
                });
            }
            System.arraycopy(chunkNorms.toDoubleVector(), 0, norms, (int) chunk.start(), (int) chunk.count());
            System.arraycopy(pass.losses().toDoubleVector(), 0, losses, (int) chunk.start(), (int) chunk.count());
        }
        return new ClippedSum(sums, norms, losses);
    }

    static INDArray rows(INDArray a, RowChunk r) {
        if (r.start() == 0 && r.count() == a.size(0)) {
            return a;
        }
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(r.start(), r.end());
        for (int i = 1; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return a.get(idx);
    }
}
