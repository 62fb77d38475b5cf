package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.engine.Graph;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.LayerFactors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One forward pass and ONE ordinary backward pass over a batch, from which the per-sample
 * gradients, their norms and any per-sample-weighted sum of gradients {@code sum_b c_b dL_b/dθ}
 * follow layer by layer ("ghost clipping" when the {@code N x M} matrix is not built).
 *
 * <p>The backward pass pulls {@code sum_b L_b} back to the output of every layer that has
 * parameters. Since each {@code L_b} depends only on sample {@code b}, the cotangent {@code g_b} of
 * a layer's output at sample {@code b} is {@code dL_b/d out[b]}. Each layer's
 * {@link dev.jacflux.model.layers.PerSampleRule} turns its input and that cotangent
 * ({@link LayerFactors}) into per-sample gradient rows, squared norms or weighted sums; there is
 * no per-layer-type code here.
 *
 * <pre>{@code
 * GhostPass pass = GhostPass.run(model, Loss.crossEntropy(), x, labels, GhostStrategy.AUTO);
 * INDArray norms = pass.norms();                                   // [n], no N x M matrix
 * INDArray c = Transforms.min(norms.rdiv(1.0), 1.0);               // clip factors for C = 1
 * List<INDArray> clippedSum = pass.weightedSum(c);                 // per parameter
 * }</pre>
 */
public final class GhostPass {
    private final Model model;
    private final long n;
    private final INDArray losses;
    private final List<LayerFactors> layers;
    private final List<Integer> layerIndex;
    private final GhostStrategy strategy;
    private List<INDArray> squares;

    private GhostPass(Model model, long n, INDArray losses, List<LayerFactors> layers, List<Integer> layerIndex, GhostStrategy strategy) {
        this.model = model;
        this.n = n;
        this.losses = losses;
        this.layers = layers;
        this.layerIndex = layerIndex;
        this.strategy = strategy;
    }

    /**
     * Runs the forward pass and the backward pass to the layer outputs.
     *
     * @param x a batch {@code [n, *inputShape]} (converted to the model's dtype)
     * @param targets the targets of the batch (rows per sample), or {@code null}
     * @throws ModelException if the model couples samples, or the loss does not give one value per sample
     */
    public static GhostPass run(Model model, Loss loss, INDArray x, INDArray targets, GhostStrategy strategy) {
        PerSample.requireIndependentSamples(model, "ghost clipping");
        Sequential arch = model.architecture();
        INDArray xs = x.dataType() == model.dtype() ? x : x.castTo(model.dtype());
        arch.checkInput(xs.shape());
        long n = xs.size(0);
        if (targets != null && (targets.rank() < 1 || targets.size(0) != n)) {
            throw new ModelException("ghost clipping: targets " + Shapes.str(targets.shape()) + " do not match the batch of " + n + " samples");
        }
        ParameterLayout layout = arch.parameterLayout();
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < layout.count(); i++) {
            params.add(Tensor.variable(model.parameters().get(i), layout.names().get(i)));
        }
        Tensor input = Tensor.variable(xs, "input");
        List<Tensor> acts;
        Tensor lossT;
        List<Integer> withParams = new ArrayList<>();
        List<Tensor> gs;
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            try (GradMode.Scope on = GradMode.set(true)) {
                acts = arch.activations(input, params, model.bufferTensors());
                lossT = loss.apply(acts.get(acts.size() - 1), targets);
            }
            if (lossT.numel() != n || lossT.rank() < 1 || lossT.size(0) != n) {
                throw new ModelException("ghost clipping: the loss must give one value per sample ([" + n + "]), got " + Shapes.str(lossT.shape()));
            }
            List<Tensor> wanted = new ArrayList<>();
            for (int i = 0; i < arch.size(); i++) {
                if (arch.parameterCount(i) > 0) {
                    withParams.add(i);
                    wanted.add(acts.get(i + 1));
                }
            }
            if (withParams.isEmpty()) {
                throw new ModelException("ghost clipping: the model has no parameters");
            }
            Tensor seed = Tensor.constant(Nd4j.ones(model.dtype(), Shapes.concat(new long[] {1}, lossT.shape())));
            gs = Backprop.pullback(List.of(lossT), List.of(seed), wanted, Backprop.Options.DEFAULT);
        }
        List<LayerFactors> factors = new ArrayList<>();
        for (int k = 0; k < withParams.size(); k++) {
            int i = withParams.get(k);
            Tensor out = acts.get(i + 1);
            int p0 = arch.firstParameter(i);
            factors.add(new LayerFactors(arch.layer(i), acts.get(i), out, params.subList(p0, p0 + arch.parameterCount(i)),
                    full(gs.get(k), out), n));
        }
        INDArray lossValues = lossT.value().reshape('c', new long[] {n});
        return new GhostPass(model, n, lossValues, factors, List.copyOf(withParams), strategy);
    }

    /** A cotangent {@code [1, *shape(out)]} (size-1 dims allowed, or null) as a dense {@code [*shape(out)]} array. */
    private static INDArray full(Tensor g, Tensor out) {
        long[] want = Shapes.concat(new long[] {1}, out.shape());
        if (g == null) {
            return Nd4j.zeros(out.dtype(), out.shape());
        }
        INDArray v = Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want).dup('c');
        return dev.jacflux.autodiff.transforms.Layouts.isCContiguous(v) && v.ordering() == 'c' ? v.reshape('c', out.shape())
                : v.dup('c').reshape('c', out.shape());
    }

    /** The number of samples. */
    public long samples() {
        return n;
    }

    /** The per-sample losses {@code [n]}. */
    public INDArray losses() {
        return losses;
    }

    /** Per parameter (layout order), the squared norms of its per-sample gradients, {@code [n]} each. */
    public List<INDArray> parameterSquaredNorms() {
        if (squares == null) {
            List<INDArray> out = new ArrayList<>();
            try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
                for (LayerFactors f : layers) {
                    out.addAll(f.layer().perSampleRule().squaredNorms(f, strategy));
                }
            }
            squares = List.copyOf(out);
        }
        return squares;
    }

    /** The squared norms of the per-sample gradients with respect to all parameters, {@code [n]}. */
    public INDArray squaredNorms() {
        List<INDArray> parts = parameterSquaredNorms();
        INDArray total = parts.get(0).dup();
        for (int i = 1; i < parts.size(); i++) {
            total.addi(parts.get(i));
        }
        return total;
    }

    /** The norms of the per-sample gradients, {@code [n]}: the row norms of the {@code N x M} matrix. */
    public INDArray norms() {
        return Transforms.sqrt(squaredNorms(), false);
    }

    /**
     * {@code sum_b c_b dL_b/dθ} per parameter (layout order, parameter shapes), from the stored
     * cotangents, without per-sample gradients.
     *
     * @param c per-sample weights {@code [n]} (e.g. clip factors)
     */
    public List<INDArray> weightedSum(INDArray c) {
        if (c.length() != n) {
            throw new ModelException("ghost clipping: expected " + n + " per-sample weights, got " + Shapes.str(c.shape()));
        }
        INDArray w = (c.dataType() == model.dtype() ? c : c.castTo(model.dtype())).reshape('c', new long[] {n});
        List<INDArray> out = new ArrayList<>();
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            for (LayerFactors f : layers) {
                out.addAll(f.layer().perSampleRule().weightedSum(f, w));
            }
        }
        return out;
    }

    /**
     * Writes the per-sample gradients of all parameters into {@code rows}, an {@code [n, M]} block of
     * rows of the result (row {@code b} is sample {@code b}'s gradient in the model's layout).
     */
    public void writeGradients(INDArray rows) {
        if (rows.rank() != 2 || rows.size(0) != n || rows.size(1) != model.parameterCount()) {
            throw new ModelException("per-sample gradients: rows " + Shapes.str(rows.shape()) + " do not fit " + n + " samples of "
                    + model.parameterCount() + " parameters");
        }
        Sequential arch = model.architecture();
        ParameterLayout layout = arch.parameterLayout();
        try (NativeThreads.Scope narrow = NativeThreads.narrow()) {
            for (int k = 0; k < layers.size(); k++) {
                int i = layerIndex.get(k);
                int p0 = arch.firstParameter(i);
                int p1 = p0 + arch.parameterCount(i);
                long from = layout.offset(p0);
                long to = layout.offset(p1 - 1) + layout.numel(p1 - 1);
                LayerFactors f = layers.get(k);
                f.layer().perSampleRule().writeGradients(f, rows.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)));
            }
        }
    }

    // ------------------------------------------------------------------ memory

    /**
     * Estimated working memory of one sample in a ghost pass, in bytes: twice the activations
     * (values and cotangents) plus each layer's rule work, from a one-sample probe.
     */
    public static long bytesPerSample(Model model, Loss loss, INDArray x, INDArray targets, GhostStrategy strategy) {
        Sequential arch = model.architecture();
        INDArray x1 = x.get(NDArrayIndex.interval(0, 1));
        x1 = x1.dataType() == model.dtype() ? x1 : x1.castTo(model.dtype());
        INDArray t1 = targets == null ? null : targets.get(NDArrayIndex.interval(0, 1));
        List<Tensor> params = new ArrayList<>();
        for (INDArray p : model.parameters()) {
            params.add(Tensor.variable(p));
        }
        Tensor out;
        try (GradMode.Scope on = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
            out = loss.apply(arch.forward(Tensor.variable(x1), params, model.bufferTensors()), t1);
        }
        long elements = 0;
        for (Tensor t : Graph.topologicalOrder(List.of(out))) {
            if (t.op() != null) {
                elements += 2 * t.numel();
            }
        }
        for (int i = 0; i < arch.size(); i++) {
            if (arch.parameterCount(i) > 0) {
                elements += arch.layer(i).perSampleRule().workPerSample(arch.layer(i), arch.shapeBefore(i), arch.shapeBefore(i + 1), strategy);
            }
        }
        DataType dt = model.dtype();
        return elements * dt.width();
    }
}
