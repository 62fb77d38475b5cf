package dev.jacflux.model;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.BatchedGemm;
import dev.jacflux.autodiff.transforms.ChunkPlanner;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.PerSampleResult;
import dev.jacflux.autodiff.transforms.ResultArrays;
import dev.jacflux.autodiff.transforms.RowChunk;
import dev.jacflux.model.ghost.GhostPass;
import dev.jacflux.model.ghost.GhostStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A DP-SGD step (Abadi et al. 2016): per-sample gradients {@code g_b}, each clipped to norm at
 * most {@code C} ({@code c_b = min(1, C / ||g_b||)}), summed, plus Gaussian noise of standard
 * deviation {@code sigma * C}, divided by the batch size {@code N}, then an SGD update.
 *
 * <p>The noise comes from a {@link NoiseSource}. Without one, a step draws it from
 * {@link NoiseSource#secure()}: a cryptographically secure generator freshly keyed for every step,
 * so the noise of a released step cannot be regenerated and subtracted. The methods that take a
 * {@code long noiseSeed} draw seeded noise ({@link NoiseSource#seeded(long)}) for reproducible
 * experiments: a training with them is <b>not private</b> (anyone who learns the seeds removes the
 * noise exactly).
 *
 * <p>With {@link Method#GHOST} (the default) the {@code N x M} per-sample gradient matrix is never
 * built: a {@link GhostPass} per chunk of samples gives the norms from one ordinary backward pass,
 * and the clipped sum {@code sum_b c_b g_b} is, for a linear layer, the single GEMM
 * {@code (c ⊙ G)^T X} over the stored output cotangents {@code G} and inputs {@code X} (conv2d the
 * same over im2col columns; other parameter layers pull {@code c ⊙ g} back through themselves). The
 * cost is close to a plain step's. {@link Method#PER_SAMPLE_MATRIX} builds the matrix, clips its
 * rows explicitly and sums them: the reference.
 *
 * <pre>{@code
 * DpSgd dp = DpSgd.of(0.1, 1.0, 1.1, Loss.crossEntropy());   // lr, clip norm C, noise multiplier sigma
 * for (int step = 0; step < 300; step++) {
 *     TrainingStep s = dp.step(model, x, labels);              // secure noise
 *     model = s.model();
 * }
 * TrainingStep r = dp.step(model, x, labels, 1000L);          // seeded noise: reproducible, not private
 * }</pre>
 *
 * @param learningRate the step size
 * @param clipNorm the clipping norm {@code C}
 * @param noiseMultiplier {@code sigma} (noise std is {@code sigma * C}); 0 for clipping without noise
 * @param loss the per-sample loss
 * @param options chunking (samples per chunk or memory budget)
 * @param method ghost clipping or the explicit per-sample matrix
 * @param strategy how ghost norms of conv layers are computed
 */
public record DpSgd(double learningRate, double clipNorm, double noiseMultiplier, Loss loss, PerSampleOptions options, Method method,
        GhostStrategy strategy) {

    /**
     * How the clipped sum is formed.
     *
     * <pre>{@code
     * DpSgd reference = dp.withMethod(DpSgd.Method.PER_SAMPLE_MATRIX);
     * }</pre>
     */
    public enum Method {
        /** Ghost norms and per-layer weighted sums; no {@code N x M} matrix. */
        GHOST,
        /** Build the per-sample gradient matrix, clip its rows, sum them (reference). */
        PER_SAMPLE_MATRIX
    }

    public DpSgd {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new ModelException("dp-sgd: learning rate must be a finite number > 0, got " + learningRate);
        }
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new ModelException("dp-sgd: clip norm C must be a finite number > 0, got " + clipNorm);
        }
        if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
            throw new ModelException("dp-sgd: noise multiplier sigma must be a finite number >= 0, got " + noiseMultiplier);
        }
        if (loss == null || options == null || method == null || strategy == null) {
            throw new ModelException("dp-sgd: loss, options, method and strategy must not be null");
        }
    }

    /** Ghost clipping, the whole batch per pass. */
    public static DpSgd of(double learningRate, double clipNorm, double noiseMultiplier, Loss loss) {
        return new DpSgd(learningRate, clipNorm, noiseMultiplier, loss, PerSampleOptions.DEFAULT, Method.GHOST, GhostStrategy.AUTO);
    }

    /** With chunking options. */
    public DpSgd withOptions(PerSampleOptions o) {
        return new DpSgd(learningRate, clipNorm, noiseMultiplier, loss, o, method, strategy);
    }

    /** With another method. */
    public DpSgd withMethod(Method m) {
        return new DpSgd(learningRate, clipNorm, noiseMultiplier, loss, options, m, strategy);
    }

    /** With another ghost strategy. */
    public DpSgd withStrategy(GhostStrategy s) {
        return new DpSgd(learningRate, clipNorm, noiseMultiplier, loss, options, method, s);
    }

    /** One step with secure noise ({@link NoiseSource#secure()}): the updated model and its statistics. */
    public TrainingStep step(Model model, INDArray x, INDArray targets) {
        return step(model, x, targets, NoiseSource.secure());
    }

    /**
     * One step with seeded noise ({@link NoiseSource#seeded(long)}; use a fresh seed per step): reproducible,
     * and therefore <b>not private</b>.
     */
    public TrainingStep step(Model model, INDArray x, INDArray targets, long noiseSeed) {
        return step(model, x, targets, NoiseSource.seeded(noiseSeed));
    }

    /** One step with noise from {@code noise}: the updated model and its statistics. */
    public TrainingStep step(Model model, INDArray x, INDArray targets, NoiseSource noise) {
        Step s = run(model, x, targets, noise);
        // θ - lr (sum + noise) / N, in place on the fresh sums
        ParameterLayout layout = model.layout();
        double scale = -learningRate / x.size(0);
        List<INDArray> next = new ArrayList<>();
        for (int i = 0; i < s.sums().size(); i++) {
            INDArray g = s.sums().get(i);
            if (s.noise() != null) {
                g.addi(slice(s.noise(), layout, i));
            }
            next.add(g.muli(scale).addi(model.parameters().get(i)));
        }
        return new TrainingStep(model.withOwnedParameters(next), s.stats());
    }

    private static INDArray slice(INDArray flat, ParameterLayout layout, int i) {
        return flat.get(NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i))).reshape('c', layout.shapes().get(i));
    }

    /**
     * The privatised gradient {@code (sum_b c_b g_b + noise) / N} per parameter (layout order),
     * without updating the model.
     */
    public NoisyGradient noisyGradient(Model model, INDArray x, INDArray targets, long noiseSeed) {
        return noisyGradient(model, x, targets, NoiseSource.seeded(noiseSeed));
    }

    /** {@link #noisyGradient(Model, INDArray, INDArray, long)} with secure noise ({@link NoiseSource#secure()}). */
    public NoisyGradient noisyGradient(Model model, INDArray x, INDArray targets) {
        return noisyGradient(model, x, targets, NoiseSource.secure());
    }

    /** {@link #noisyGradient(Model, INDArray, INDArray, long)} with noise from {@code noise}. */
    public NoisyGradient noisyGradient(Model model, INDArray x, INDArray targets, NoiseSource noise) {
        Step s = run(model, x, targets, noise);
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < s.sums().size(); i++) {
            INDArray g = s.sums().get(i);
            if (s.noise() != null) {
                g.addi(slice(s.noise(), model.layout(), i));
            }
            out.add(g.divi(x.size(0)));
        }
        return new NoisyGradient(out, s.stats());
    }

    /** The clipped sums (fresh arrays), the noise ({@code [M]} or null) and the statistics. */
    private record Step(List<INDArray> sums, INDArray noise, StepStats stats) {
    }

    private Step run(Model model, INDArray x, INDArray targets, NoiseSource noiseSource) {
        if (noiseSource == null) {
            throw new ModelException("dp-sgd: the noise source is null (use NoiseSource.secure())");
        }
        PerSample.requireIndependentSamples(model, "dp-sgd");
        INDArray xs = x.dataType() == model.dtype() ? x : x.castTo(model.dtype());
        model.architecture().checkInput(xs.shape());
        if (targets != null && (targets.rank() < 1 || targets.size(0) != xs.size(0))) {
            throw new ModelException("dp-sgd: targets " + java.util.Arrays.toString(targets.shape()) + " do not match the batch of "
                    + xs.size(0) + " samples");
        }
        // the noise does not depend on the gradients: draw it on another thread while the passes run
        CompletableFuture<INDArray> noise = noiseMultiplier == 0 ? null : CompletableFuture.supplyAsync(() -> noise(model, noiseSource));
        return method == Method.GHOST ? ghost(model, xs, targets, noise) : matrix(model, xs, targets, noise);
    }

    private Step ghost(Model model, INDArray x, INDArray targets, CompletableFuture<INDArray> noise) {
        long n = x.size(0);
        long bytes = options.samplesPerChunk() > 0 || options.memoryBudgetBytes() == 0 ? 0
                : GhostPass.bytesPerSample(model, loss, x, targets, strategy);
        List<RowChunk> chunks = ChunkPlanner.plan(n, options.samplesPerChunk(), options.memoryBudgetBytes(), bytes);
        List<INDArray> sums = null;
        Accumulator acc = new Accumulator();
        for (RowChunk chunk : chunks) {
            GhostPass pass = GhostPass.run(model, loss, rows(x, chunk), targets == null ? null : rows(targets, chunk), strategy);
            INDArray norms = pass.norms();
            INDArray c = clipFactors(norms);
            List<INDArray> part = pass.weightedSum(c);
            if (sums == null) {
                sums = part;
            } else {
                for (int i = 0; i < part.size(); i++) {
                    sums.get(i).addi(part.get(i));
                }
            }
            acc.add(pass.losses(), norms);
        }
        return finish(sums, noise, acc.stats(n, noiseStd(), false));
    }

    private Step matrix(Model model, INDArray x, INDArray targets, CompletableFuture<INDArray> noise) {
        long n = x.size(0);
        PerSampleResult r = PerSample.gradients(model, x, targets, loss, options);
        INDArray m = r.matrix();
        INDArray norms = Transforms.sqrt(rowSquares(m), false);
        INDArray c = clipFactors(norms);
        long cols = m.size(1);
        INDArray sum = Nd4j.createUninitialized(m.dataType(), cols);
        if (BatchedGemm.supports(m, c, sum)) {
            BatchedGemm.rowCombination(m, c, sum);   // sum_b c_b row_b, reading the matrix once
        } else {
            sum = Nd4j.gemm(c.reshape('c', 1, n), m, false, false).reshape('c', new long[] {cols});
        }
        ParameterLayout layout = r.layout();
        List<INDArray> sums = new ArrayList<>();
        for (int i = 0; i < layout.count(); i++) {
            sums.add(sum.get(NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i))).dup('c')
                    .reshape('c', layout.shapes().get(i)));
        }
        // the matrix never leaves this step: its pooled memory serves the next step without waiting for a collection
        ResultArrays.release(m);
        INDArray losses;
        try (GradMode.Scope off = GradMode.disable()) {
            losses = loss.apply(Tensor.constant(model.forward(x)), targets).value();
        }
        Accumulator acc = new Accumulator();
        acc.add(losses.reshape('c', new long[] {n}), norms);
        return finish(sums, noise, acc.stats(n, noiseStd(), true));
    }

    /** {@code ||row_b||^2} of every row of the {@code [N, M]} matrix, one reduction, no temporary. */
    private static INDArray rowSquares(INDArray m) {
        INDArray out = Nd4j.createUninitialized(m.dataType(), m.size(0));
        if (BatchedGemm.supports(m, out) && m.ordering() == 'c' && m.isMatrix() && dev.jacflux.autodiff.transforms.Layouts.isCContiguous(m)) {
            BatchedGemm.rowSquares(m, out);
            return out;
        }
        return Nd4j.getExecutioner().exec(new SquaredNorm(m, 1));
    }

    private double noiseStd() {
        return noiseMultiplier * clipNorm;
    }

    /** {@code min(1, C / norm)} per sample (1 where the norm is 0: {@code C / 0} is infinite). */
    INDArray clipFactors(INDArray norms) {
        return Transforms.min(norms.rdiv(clipNorm), 1.0, false);
    }

    /** Waits for the noise. */
    private static Step finish(List<INDArray> sums, CompletableFuture<INDArray> pending, StepStats stats) {
        INDArray noise;
        try {
            noise = pending == null ? null : pending.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new ModelException("dp-sgd: drawing the noise failed: " + e.getCause(), e);
        }
        return new Step(sums, noise, stats);
    }

    /** {@code [M]} Gaussian noise of std {@code sigma * C} from the source (seeded noise: the same draw on any thread). */
    private INDArray noise(Model model, NoiseSource source) {
        return source.sample(model.parameterCount(), noiseStd(), model.dtype());
    }

    private static INDArray rows(INDArray a, RowChunk r) {
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

    private final class Accumulator {
        private double lossSum;
        private double normSum;
        private double maxNorm;
        private long clipped;

        void add(INDArray losses, INDArray norms) {
            lossSum += losses.sumNumber().doubleValue();
            for (double v : norms.toDoubleVector()) {
                normSum += v;
                maxNorm = Math.max(maxNorm, v);
                if (v > clipNorm) {
                    clipped++;
                }
            }
        }

        StepStats stats(long n, double noiseStd, boolean matrix) {
            return new StepStats(n, lossSum / n, normSum / n, maxNorm, (double) clipped / n, noiseStd, matrix);
        }
    }

    /**
     * A privatised gradient per parameter and the statistics of the step that produced it.
     *
     * <pre>{@code
     * DpSgd.NoisyGradient g = dp.noisyGradient(model, x, labels, 7L);
     * g.parameters();                 // (sum_b c_b g_b + noise) / N, per parameter
     * g.stats().clippedFraction();
     * }</pre>
     *
     * @param parameters one array per parameter (layout order), of the parameter's shape
     * @param stats the step's statistics
     */
    public record NoisyGradient(List<INDArray> parameters, StepStats stats) {
    }
}
