package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.GradMode;
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
import dev.jacflux.autodiff.ops.ConvKernels;
import dev.jacflux.autodiff.ops.MatMulKernel;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.Linear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One forward pass and ONE ordinary backward pass over a batch, from which the per-sample gradient
 * norms and any per-sample-weighted sum of gradients {@code sum_b c_b dL_b/dθ} follow without
 * building the {@code N x M} per-sample gradient matrix ("ghost clipping").
 *
 * <p>The backward pass pulls {@code sum_b L_b} back to the output of every layer that has
 * parameters. Since each {@code L_b} depends only on sample {@code b}, the cotangent {@code g_b}
 * of a layer's output at sample {@code b} is {@code dL_b/d out[b]}. Then, per layer:
 * <ul>
 *   <li>linear on vectors: {@code ||dW_b||^2 = ||x_b||^2 ||g_b||^2} and {@code ||db_b||^2 = ||g_b||^2};
 *       on {@code [T, in]} samples {@code ||G_b^T X_b||^2} by {@link GhostStrategy};</li>
 *   <li>conv2d: {@code ||G_b C_b^T||^2} with {@code C_b} the im2col columns of the sample, by
 *       {@link GhostStrategy} (direct or Gram, whichever is cheaper);</li>
 *   <li>other layers with parameters (layer norm, batch norm affine): the per-sample gradients of
 *       just that layer's parameters, by pulling {@code g} back through the layer alone in the
 *       engine's per-sample mode.</li>
 * </ul>
 * A weighted sum uses the same cotangents: {@code (c ⊙ G)^T X} (one GEMM) for linear layers, the
 * im2col product for conv2d, and an ordinary pullback of {@code c ⊙ g} through the layer alone
 * otherwise.
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
    private final List<Capture> captures;
    private final GhostStrategy strategy;
    private List<INDArray> squares;

    /** A parameter layer's input, output and output cotangent in this pass. */
    private record Capture(int index, Layer layer, Tensor input, Tensor output, List<Tensor> params, INDArray g) {
    }

    private GhostPass(Model model, long n, INDArray losses, List<Capture> captures, GhostStrategy strategy) {
        this.model = model;
        this.n = n;
        this.losses = losses;
        this.captures = captures;
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
        try (GradMode.Scope on = GradMode.set(true)) {
            acts = arch.activations(input, params, model.bufferTensors());
            lossT = loss.apply(acts.get(acts.size() - 1), targets);
        }
        if (lossT.numel() != n || lossT.rank() < 1 || lossT.size(0) != n) {
            throw new ModelException("ghost clipping: the loss must give one value per sample ([" + n + "]), got " + Shapes.str(lossT.shape()));
        }
        List<Integer> layers = new ArrayList<>();
        List<Tensor> wanted = new ArrayList<>();
        for (int i = 0; i < arch.size(); i++) {
            if (arch.parameterCount(i) > 0) {
                layers.add(i);
                wanted.add(acts.get(i + 1));
            }
        }
        if (layers.isEmpty()) {
            throw new ModelException("ghost clipping: the model has no parameters");
        }
        Tensor seed = Tensor.constant(Nd4j.ones(model.dtype(), Shapes.concat(new long[] {1}, lossT.shape())));
        List<Tensor> gs = Backprop.pullback(List.of(lossT), List.of(seed), wanted, Backprop.Options.DEFAULT);
        List<Capture> captures = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            int i = layers.get(k);
            Tensor out = acts.get(i + 1);
            INDArray g = full(gs.get(k), out);
            int p0 = arch.firstParameter(i);
            captures.add(new Capture(i, arch.layer(i), acts.get(i), out, params.subList(p0, p0 + arch.parameterCount(i)), g));
        }
        INDArray lossValues = lossT.value().reshape('c', new long[] {n});
        return new GhostPass(model, n, lossValues, captures, strategy);
    }

    /** A cotangent {@code [1, *shape(out)]} (size-1 dims allowed, or null) as a full {@code [*shape(out)]} array. */
    private static INDArray full(Tensor g, Tensor out) {
        long[] want = Shapes.concat(new long[] {1}, out.shape());
        if (g == null) {
            return Nd4j.zeros(out.dtype(), out.shape());
        }
        INDArray v = Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want).dup('c');
        return v.reshape('c', out.shape());
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
            for (Capture c : captures) {
                out.addAll(squaredNorms(c));
            }
            squares = List.copyOf(out);
        }
        return squares;
    }

    /** The squared norms of the per-sample gradients with respect to all parameters, {@code [n]}. */
    public INDArray squaredNorms() {
        if (squares != null) {
            return sum(squares);
        }
        INDArray total = null;
        for (Capture c : captures) {
            INDArray layer;
            if (c.layer() instanceof Linear lin && c.g().length() == n * lin.outFeatures()) {
                // vectors: ||g||^2 (||x||^2 + 1) with bias, ||g||^2 ||x||^2 without
                INDArray gg = GhostMath.rowSquares(c.g());
                INDArray xx = GhostMath.rowSquares(c.input().value());
                layer = gg.muli(lin.bias() ? xx.addi(1.0) : xx);
            } else {
                layer = sum(squaredNorms(c));
            }
            total = total == null ? layer : total.addi(layer);
        }
        return total;
    }

    private static INDArray sum(List<INDArray> parts) {
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
        for (Capture cap : captures) {
            out.addAll(weightedSum(cap, w));
        }
        return out;
    }

    // ------------------------------------------------------------------ per-layer rules

    private List<INDArray> squaredNorms(Capture c) {
        if (c.layer() instanceof Linear lin) {
            INDArray x = positions(c.input().value(), lin.inFeatures());
            INDArray g = positions(c.g(), lin.outFeatures());
            List<INDArray> out = new ArrayList<>();
            out.add(GhostMath.squaredNormOfProducts(g, x, strategy));
            if (lin.bias()) {
                out.add(GhostMath.rowSquares(g.size(1) == 1 ? g : g.sum(1)));
            }
            return out;
        }
        if (c.layer() instanceof Conv2d conv) {
            INDArray cols = columns(c, conv);                                   // [n, C*kh*kw, P]
            INDArray g = c.g().reshape('c', n, conv.outChannels(), cols.size(2)); // [n, O, P]
            List<INDArray> out = new ArrayList<>();
            out.add(GhostMath.squaredNormOfProducts(g.permute(0, 2, 1), cols.permute(0, 2, 1), strategy));
            if (conv.bias()) {
                out.add(GhostMath.rowSquares(g.sum(2)));
            }
            return out;
        }
        return localPerSampleSquares(c);
    }

    /** The im2col columns {@code [n, C*kh*kw, P]} of a conv layer's input. */
    private static INDArray columns(Capture c, Conv2d conv) {
        return ConvKernels.im2col(c.input().value(), conv.kernelSize().h(), conv.kernelSize().w(), conv.spec());
    }

    private List<INDArray> weightedSum(Capture c, INDArray w) {
        if (c.layer() instanceof Linear lin) {
            long t = c.g().length() / (n * lin.outFeatures());
            INDArray gc = positions(c.g(), lin.outFeatures()).mul(w.reshape('c', n, 1, 1)).reshape('c', n * t, lin.outFeatures());
            INDArray x = contiguous(c.input().value().reshape('c', n * t, lin.inFeatures()));
            INDArray gw = Nd4j.createUninitialized(model.dtype(), lin.outFeatures(), lin.inFeatures());
            Nd4j.gemm(gc, x, gw, true, false, 1.0, 0.0);
            List<INDArray> out = new ArrayList<>();
            out.add(gw);
            if (lin.bias()) {
                out.add(gc.sum(0));
            }
            return out;
        }
        if (c.layer() instanceof Conv2d conv) {
            INDArray cols = columns(c, conv);
            long o = conv.outChannels();
            long ckk = cols.size(1);
            long p = cols.size(2);
            INDArray gc = c.g().reshape('c', n, o, p).mul(w.reshape('c', n, 1, 1));
            INDArray g2 = gc.permute(1, 0, 2).dup('c').reshape('c', o, n * p);       // [O, n*P]
            INDArray c2 = cols.permute(1, 0, 2).dup('c').reshape('c', ckk, n * p);   // [C*kh*kw, n*P]
            INDArray gw = Nd4j.createUninitialized(model.dtype(), o, ckk);
            Nd4j.gemm(g2, c2, gw, false, true, 1.0, 0.0);
            List<INDArray> out = new ArrayList<>();
            out.add(gw.reshape('c', o, conv.inChannels(), conv.kernelSize().h(), conv.kernelSize().w()));
            if (conv.bias()) {
                out.add(g2.sum(1));
            }
            return out;
        }
        return localWeightedSum(c, w);
    }

    /** {@code [n, *, f]} as {@code [n, T, f]}. */
    private INDArray positions(INDArray a, long features) {
        return a.reshape('c', n, a.length() / (n * features), features);
    }

    private static INDArray contiguous(INDArray a) {
        return dev.jacflux.autodiff.transforms.Layouts.isCContiguous(a) && a.ordering() == 'c' ? a : a.dup('c');
    }

    /** Per-sample gradients of this layer's parameters only: its output cotangent pulled back through the layer in per-sample mode. */
    private List<INDArray> localPerSampleSquares(Capture c) {
        List<INDArray> out = new ArrayList<>();
        for (INDArray block : localPerSampleBlocks(c)) {
            out.add(GhostMath.rowSquares(block));
        }
        return out;
    }

    /** {@code [n, numel]} per parameter of the layer, from a pullback of its output cotangent through the layer alone. */
    private List<INDArray> localPerSampleBlocks(Capture c) {
        Tensor seed = Tensor.constant(c.g().reshape('c', Shapes.concat(new long[] {1}, c.g().shape())));
        List<Tensor> grads = Backprop.pullback(List.of(c.output()), List.of(seed), c.params(),
                Backprop.Options.perSample(Set.of(c.input()), n));
        List<INDArray> out = new ArrayList<>();
        for (int k = 0; k < c.params().size(); k++) {
            Tensor g = grads.get(k);
            long numel = c.params().get(k).numel();
            if (g == null) {
                out.add(Nd4j.zeros(model.dtype(), n, numel));
                continue;
            }
            long[] want = Shapes.concat(new long[] {1, n}, c.params().get(k).shape());
            INDArray v = Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want);
            out.add(v.reshape('c', n, numel));
        }
        return out;
    }

    // ------------------------------------------------------------------ per-sample gradients from the factors

    /**
     * The per-sample gradients of every parameter in a factored form that {@link #writePerSample}
     * turns into rows of the {@code N x M} matrix: for a linear layer on vectors the output
     * cotangents {@code G [n, out]} and inputs {@code X [n, in]} (the weight rows are the outer
     * products {@code g_b x_b^T}, the bias rows {@code g_b}); for other layers the blocks
     * {@code [n, numel]} per parameter (conv2d: {@code G_b C_b^T} as one batched product over
     * im2col columns; layers without a rule: a per-sample pullback through the layer alone).
     */
    List<INDArray> perSampleFactors() {
        List<INDArray> out = new ArrayList<>();
        for (Capture c : captures) {
            if (c.layer() instanceof Linear lin) {
                INDArray g = positions(c.g(), lin.outFeatures());
                INDArray x = positions(c.input().value(), lin.inFeatures());
                if (g.size(1) == 1) {
                    out.add(g.reshape('c', n, lin.outFeatures()));
                    out.add(x.reshape('c', n, lin.inFeatures()));
                } else {
                    out.add(MatMulKernel.multiply(g.permute(0, 2, 1), x).reshape('c', n, lin.outFeatures() * lin.inFeatures()));
                    if (lin.bias()) {
                        out.add(g.sum(1));
                    }
                }
            } else if (c.layer() instanceof Conv2d conv) {
                INDArray cols = columns(c, conv);
                INDArray g = c.g().reshape('c', n, conv.outChannels(), cols.size(2));
                out.add(MatMulKernel.multiply(g, cols.permute(0, 2, 1)).reshape('c', n, conv.outChannels() * cols.size(1)));
                if (conv.bias()) {
                    out.add(g.sum(2));
                }
            } else {
                out.addAll(localPerSampleBlocks(c));
            }
        }
        return out;
    }

    /**
     * Writes the per-sample gradients held in {@code factors} (from {@link #perSampleFactors()} of
     * a pass over {@code n} samples of {@code model}) into {@code rows}, an {@code [n, M]} region of
     * the result. Outer products of linear layers are written straight into their columns.
     */
    static void writePerSample(Model model, List<INDArray> factors, INDArray rows) {
        Sequential arch = model.architecture();
        ParameterLayout layout = arch.parameterLayout();
        long n = rows.size(0);
        int f = 0;
        for (int i = 0; i < arch.size(); i++) {
            int p0 = arch.firstParameter(i);
            int count = arch.parameterCount(i);
            if (count == 0) {
                continue;
            }
            Layer layer = arch.layer(i);
            if (layer instanceof Linear lin && Shapes.numel(arch.shapeBefore(i)) == lin.inFeatures()) {
                INDArray g = factors.get(f++);
                INDArray x = factors.get(f++);
                INDArray cols = slot(rows, layout, p0);
                INDArray w3 = cols.reshape('c', n, lin.outFeatures(), lin.inFeatures());
                INDArray gb = g.reshape('c', n, lin.outFeatures(), 1);
                INDArray xb = x.reshape('c', n, 1, lin.inFeatures());
                if (w3.data().address() == rows.data().address()) {   // a view (reshape did not copy)
                    Nd4j.exec(new MulOp(new INDArray[] {gb, xb}, new INDArray[] {w3}));   // straight into the result
                } else {
                    cols.assign(gb.mul(xb).reshape('c', n, lin.outFeatures() * lin.inFeatures()));
                }
                if (lin.bias()) {
                    slot(rows, layout, p0 + 1).assign(g);
                }
            } else {
                for (int k = p0; k < p0 + count; k++) {
                    slot(rows, layout, k).assign(factors.get(f++));
                }
            }
        }
    }

    private static INDArray slot(INDArray rows, ParameterLayout layout, int k) {
        return rows.get(NDArrayIndex.all(), NDArrayIndex.interval(layout.offset(k), layout.offset(k) + layout.numel(k)));
    }

    private List<INDArray> localWeightedSum(Capture c, INDArray w) {
        long[] wShape = new long[c.g().rank()];
        Arrays.fill(wShape, 1);
        wShape[0] = n;
        INDArray gc = c.g().mul(w.reshape('c', wShape));
        Tensor seed = Tensor.constant(gc.reshape('c', Shapes.concat(new long[] {1}, gc.shape())));
        List<Tensor> grads = Backprop.pullback(List.of(c.output()), List.of(seed), c.params(), Backprop.Options.DEFAULT);
        List<INDArray> out = new ArrayList<>();
        for (int k = 0; k < c.params().size(); k++) {
            long[] shape = c.params().get(k).shape();
            Tensor g = grads.get(k);
            if (g == null) {
                out.add(Nd4j.zeros(model.dtype(), shape));
            } else {
                long[] want = Shapes.concat(new long[] {1}, shape);
                INDArray v = Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want);
                out.add(v.reshape('c', shape).dup('c'));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ memory

    /**
     * Estimated working memory of one sample in a ghost pass, in bytes: twice the activations
     * (values and cotangents) plus each layer's norm work, from a one-sample probe.
     */
    public static long bytesPerSample(Model model, Loss loss, INDArray x, INDArray targets, GhostStrategy strategy) {
        Sequential arch = model.architecture();
        INDArray x1 = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
        x1 = x1.dataType() == model.dtype() ? x1 : x1.castTo(model.dtype());
        INDArray t1 = targets == null ? null : targets.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
        List<Tensor> params = new ArrayList<>();
        for (INDArray p : model.parameters()) {
            params.add(Tensor.variable(p));
        }
        Tensor out;
        try (GradMode.Scope on = GradMode.set(true)) {
            out = loss.apply(arch.forward(Tensor.variable(x1), params, model.bufferTensors()), t1);
        }
        long elements = 0;
        for (Tensor t : Graph.topologicalOrder(List.of(out))) {
            if (t.op() != null) {
                elements += 2 * t.numel();
            }
        }
        for (int i = 0; i < arch.size(); i++) {
            Layer layer = arch.layer(i);
            if (arch.parameterCount(i) == 0) {
                continue;
            }
            if (layer instanceof Linear lin) {
                long t = Shapes.numel(arch.shapeBefore(i)) / lin.inFeatures();
                elements += GhostMath.workPerSample(t, lin.outFeatures(), lin.inFeatures(), strategy);
            } else if (layer instanceof Conv2d conv) {
                long[] outShape = arch.shapeBefore(i + 1);
                long p = outShape[1] * outShape[2];
                long ckk = conv.inChannels() * conv.kernelSize().h() * conv.kernelSize().w();
                elements += 2 * ckk * p + GhostMath.workPerSample(p, conv.outChannels(), ckk, strategy);
            } else {
                int p0 = arch.firstParameter(i);
                for (int k = p0; k < p0 + arch.parameterCount(i); k++) {
                    elements += 2 * arch.parameterLayout().numel(k);
                }
            }
        }
        DataType dt = model.dtype();
        return elements * dt.width();
    }
}
