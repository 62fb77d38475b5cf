package dev.jacflux.bench;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.AvgPool2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.MaxPool2d;
import dev.jacflux.model.layers.Relu;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The floors of the conv-net cases ({@link ConvNet}), written by hand with ND4J for sequential
 * nets of conv2d, ReLU, non-overlapping max/average pooling, flatten and dense layers:
 *
 * <ul>
 *   <li>{@link Jacobian} ({@code *-jacobian}): the forward pass and ONE reverse pass of the
 *       {@code K} logit rows (the batch Jacobian's least work): dense layers as GEMMs (the first
 *       one on the {@code K} weight rows only, the same for every sample), ReLU and pooling as
 *       broadcast multiplies with masks of the forward pass, convolutions as a GEMM with the
 *       weights and {@code col2im}, into a preallocated {@code [N, K, *in]};</li>
 *   <li>{@link Factors} ({@code *-grads}, {@code *-norms}): given each parameter layer's input and
 *       output cotangent (computed outside the timed region, as the {@code mlp-grads} floor), the
 *       per-sample gradients written into a preallocated {@code [N, M]} (conv: {@code im2col} and one
 *       GEMM per sample straight into its row; dense: one broadcasting outer product per layer), or
 *       their squared row norms.</li>
 * </ul>
 *
 * <pre>{@code
 * ConvNetFloors.Jacobian floor = new ConvNetFloors.Jacobian(model, 128);
 * INDArray jac = floor.compute(x);                      // [128, 10, 784], the same buffer every call
 * ConvNetFloors.Factors f = ConvNetFloors.Factors.of(model, x, labels);
 * INDArray grads = f.gradients();                       // [128, 44426]
 * INDArray norms = f.norms();                           // [128]
 * }</pre>
 */
public final class ConvNetFloors {
    private ConvNetFloors() {
    }

    /** The batch Jacobian of the logits, by hand. */
    public static final class Jacobian {
        private final Model model;
        private final Sequential arch;
        private final INDArray out;
        private final long batch;
        private final long classes;

        /** The model, for batches of {@code batch} samples. */
        public Jacobian(Model model, long batch) {
            this.model = model;
            this.arch = model.architecture();
            this.batch = batch;
            this.classes = arch.outputShape()[0];
            long in = 1;
            for (long d : arch.inputShape()) {
                in *= d;
            }
            this.out = Nd4j.createUninitialized(model.dtype(), batch, classes, in);
        }

        /** The batch Jacobian at {@code x}, in the preallocated result. */
        public INDArray compute(INDArray x) {
            List<INDArray> inputs = new ArrayList<>();
            INDArray h = x;
            for (int i = 0; i < arch.size(); i++) {
                inputs.add(h);
                h = forward(arch.layer(i), h, params(i));
            }
            // reverse pass of K rows; g is [K, 1, *] while it is the same for every sample, then [K*B, *]
            INDArray g = null;
            boolean invariant = true;
            for (int i = arch.size() - 1; i >= 0; i--) {
                Layer layer = arch.layer(i);
                INDArray in = inputs.get(i);
                List<INDArray> p = params(i);
                long[] inShape = arch.shapeBefore(i);
                if (layer instanceof Linear) {
                    INDArray w = p.get(0);
                    if (g == null) {
                        g = w.dup('c');                                                   // [K, in]: the first rows are W
                    } else {
                        long rows = invariant ? classes : classes * batch;
                        INDArray next = Nd4j.createUninitialized(w.dataType(), rows, w.size(1));
                        Nd4j.gemm(g.reshape('c', rows, w.size(0)), w, next, false, false, 1.0, 0.0);
                        g = next;
                    }
                } else if (layer instanceof Relu) {
                    INDArray mask = in.gt(0.0).castTo(in.dataType()).reshape('c', 1, batch, in.length() / batch);
                    g = g.reshape('c', classes, invariant ? 1 : batch, in.length() / batch).mul(mask);
                    invariant = false;
                } else if (layer instanceof Flatten) {
                    g = g.reshape('c', invariant ? classes : classes * batch, in.length() / batch);
                } else if (layer instanceof MaxPool2d mp) {
                    g = poolBackward(g, in, inShape, mp.kernelSize().h(), true, invariant);
                    invariant = false;
                } else if (layer instanceof AvgPool2d ap) {
                    g = poolBackward(g, in, inShape, ap.kernelSize().h(), false, invariant);
                } else if (layer instanceof Conv2d conv) {
                    g = convBackward(g.reshape('c', invariant ? classes : classes * batch, g.length() / (invariant ? classes : classes * batch)),
                            conv, p.get(0), inShape);
                } else {
                    throw new IllegalArgumentException("conv-net floor: unsupported layer " + layer.describe());
                }
            }
            long inSize = x.length() / batch;
            INDArray rows = invariant ? g.reshape('c', classes, 1, inSize).broadcast(classes, batch, inSize) : g.reshape('c', classes, batch, inSize);
            out.assign(rows.permute(1, 0, 2));
            return out;
        }

        private List<INDArray> params(int i) {
            int p0 = arch.firstParameter(i);
            return model.parameters().subList(p0, p0 + arch.parameterCount(i));
        }

        /** A non-overlapping pool's backward: {@code g} ({@code [K or K*B, C, oh, ow]}) spread over the windows with a mask. */
        private INDArray poolBackward(INDArray g, INDArray in, long[] inShape, int k, boolean max, boolean invariant) {
            long c = inShape[0];
            long oh = inShape[1] / k;
            long ow = inShape[2] / k;
            INDArray spread;
            if (max) {
                INDArray six = in.reshape('c', batch, c, oh, k, ow, k);
                INDArray mask = six.eq(six.max(true, 3, 5)).castTo(in.dataType()).reshape('c', 1, batch, c, oh, k, ow, k);
                spread = g.reshape('c', classes, invariant ? 1 : batch, c, oh, 1, ow, 1).mul(mask);
            } else {
                INDArray share = Nd4j.valueArrayOf(new long[] {1, 1, 1, k, 1, k}, 1.0 / (k * k), in.dataType());
                spread = g.reshape('c', g.length() / (c * oh * ow), c, oh, 1, ow, 1).mul(share);
            }
            return spread.reshape('c', spread.length() / (c * oh * k * ow * k), c, oh * k, ow * k);
        }

        /** A convolution's input cotangent: {@code col2im(W^T g)} for every row, one GEMM. */
        private INDArray convBackward(INDArray g, Conv2d conv, INDArray w, long[] inShape) {
            long o = conv.outChannels();
            long ckk = w.length() / o;
            long rows = g.size(0);
            long p = g.length() / (rows * o);
            INDArray gp = g.reshape('c', rows, o, p).permute(1, 0, 2).dup('c').reshape('c', o, rows * p);
            INDArray cols = Nd4j.createUninitialized(w.dataType(), ckk, rows * p);
            Nd4j.gemm(w.reshape('c', o, ckk), gp, cols, true, false, 1.0, 0.0);
            long[] o2 = conv.spec().outputSize("floor", inShape[1], inShape[2], conv.kernelSize().h(), conv.kernelSize().w());
            INDArray six = cols.reshape('c', ckk, rows, p).permute(1, 0, 2).dup('c')
                    .reshape('c', rows, inShape[0], conv.kernelSize().h(), conv.kernelSize().w(), o2[0], o2[1]);
            INDArray img = Nd4j.create(w.dataType(), rows, inShape[0], inShape[1], inShape[2]);
            Nd4j.exec(DynamicCustomOp.builder("col2im").addInputs(six).addOutputs(img)
                    .addIntegerArguments(conv.stride().h(), conv.stride().w(), conv.padding().h(), conv.padding().w(), (int) inShape[1],
                            (int) inShape[2], conv.dilation().h(), conv.dilation().w(), 0).build());
            return img;
        }
    }

    /** The forward pass of one layer of the supported kinds. */
    static INDArray forward(Layer layer, INDArray h, List<INDArray> p) {
        if (layer instanceof Conv2d conv) {
            Conv2DConfig cfg = Conv2DConfig.builder().kH(conv.kernelSize().h()).kW(conv.kernelSize().w()).sH(conv.stride().h())
                    .sW(conv.stride().w()).pH(conv.padding().h()).pW(conv.padding().w()).dH(conv.dilation().h()).dW(conv.dilation().w())
                    .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
            INDArray y = Nd4j.cnn().conv2d(h, p.get(0), cfg);
            if (conv.bias()) {
                Broadcast.add(y, p.get(1), y, 1);
            }
            return y;
        }
        if (layer instanceof Relu) {
            return Transforms.relu(h, true);
        }
        if (layer instanceof MaxPool2d mp) {
            int k = mp.kernelSize().h();
            return h.reshape('c', h.size(0), h.size(1), h.size(2) / k, k, h.size(3) / k, k).max(3, 5);
        }
        if (layer instanceof AvgPool2d ap) {
            int k = ap.kernelSize().h();
            return h.reshape('c', h.size(0), h.size(1), h.size(2) / k, k, h.size(3) / k, k).mean(3, 5);
        }
        if (layer instanceof Flatten) {
            return h.reshape('c', h.size(0), h.length() / h.size(0));
        }
        if (layer instanceof Linear lin) {
            INDArray y = Nd4j.createUninitialized(h.dataType(), h.size(0), lin.outFeatures());
            Nd4j.gemm(h, p.get(0), y, false, true, 1.0, 0.0);
            if (lin.bias()) {
                y.addiRowVector(p.get(1));
            }
            return y;
        }
        throw new IllegalArgumentException("conv-net floor: unsupported layer " + layer.describe());
    }

    /**
     * Per-sample gradients and their norms from each parameter layer's input and output cotangent
     * (computed once, outside the timed region, by one ordinary backward pass of the engine).
     */
    public static final class Factors {
        private final Sequential arch;
        private final List<Integer> layers;
        private final List<INDArray> inputs;
        private final List<INDArray> cotangents;
        private final INDArray out;
        private final INDArray norms;
        private final List<INDArray> scratch = new ArrayList<>();

        private Factors(Model model, List<Integer> layers, List<INDArray> inputs, List<INDArray> cotangents) {
            this.arch = model.architecture();
            this.layers = layers;
            this.inputs = inputs;
            this.cotangents = cotangents;
            long n = inputs.get(0).size(0);
            this.out = Nd4j.createUninitialized(model.dtype(), n, model.parameterCount());
            this.norms = Nd4j.createUninitialized(model.dtype(), n);
            for (int k = 0; k < layers.size(); k++) {
                if (arch.layer(layers.get(k)) instanceof Conv2d conv) {
                    long ckk = conv.inChannels() * conv.kernelSize().h() * conv.kernelSize().w();
                    scratch.add(Nd4j.createUninitialized(model.dtype(), n, conv.outChannels(), ckk));
                } else {
                    scratch.add(null);
                }
            }
        }

        /** The layer inputs and output cotangents of {@code model} at {@code (x, labels)} under cross-entropy. */
        public static Factors of(Model model, INDArray x, INDArray labels) {
            Sequential arch = model.architecture();
            List<Tensor> params = new ArrayList<>();
            for (INDArray p : model.parameters()) {
                params.add(Tensor.constant(p));
            }
            List<Tensor> acts;
            Tensor loss;
            Tensor input = Tensor.variable(x);
            try (GradMode.Scope on = GradMode.set(true)) {
                acts = arch.activations(input, params, model.bufferTensors());
                loss = Loss.crossEntropy().apply(acts.get(acts.size() - 1), labels);
            }
            List<Integer> layers = new ArrayList<>();
            List<Tensor> wanted = new ArrayList<>();
            for (int i = 0; i < arch.size(); i++) {
                if (arch.parameterCount(i) > 0) {
                    layers.add(i);
                    wanted.add(acts.get(i + 1));
                }
            }
            Tensor seed = Tensor.constant(Nd4j.ones(loss.dtype(), 1, loss.size(0)));
            List<Tensor> gs = Backprop.pullback(List.of(loss), List.of(seed), wanted, Backprop.Options.DEFAULT);
            List<INDArray> ins = new ArrayList<>();
            List<INDArray> cots = new ArrayList<>();
            for (int k = 0; k < layers.size(); k++) {
                ins.add(acts.get(layers.get(k)).value().dup('c'));
                long[] outShape = acts.get(layers.get(k) + 1).shape();
                long[] lead = new long[outShape.length + 1];
                lead[0] = 1;
                System.arraycopy(outShape, 0, lead, 1, outShape.length);
                cots.add(gs.get(k).value().broadcast(lead).reshape('c', outShape).dup('c'));
            }
            return new Factors(model, layers, ins, cots);
        }

        /** The per-sample gradients {@code [N, M]}, in the preallocated result. */
        public INDArray gradients() {
            long n = out.size(0);
            long off = 0;
            for (int k = 0; k < layers.size(); k++) {
                Layer layer = arch.layer(layers.get(k));
                INDArray g = cotangents.get(k);
                INDArray x = inputs.get(k);
                if (layer instanceof Conv2d conv) {
                    long o = conv.outChannels();
                    INDArray cols = im2col(conv, x);                                     // [N, CKK, P]
                    long ckk = cols.size(1);
                    long p = cols.size(2);
                    INDArray g3 = g.reshape('c', n, o, p);
                    for (long b = 0; b < n; b++) {
                        INDArray row = out.get(NDArrayIndex.point(b), NDArrayIndex.interval(off, off + o * ckk)).reshape('c', o, ckk);
                        Nd4j.gemm(g3.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()),
                                cols.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()), row, false, true, 1.0, 0.0);
                    }
                    off += o * ckk;
                    if (conv.bias()) {
                        out.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + o)).assign(g3.sum(2));
                        off += o;
                    }
                } else if (layer instanceof Linear lin) {
                    long o = lin.outFeatures();
                    long i = lin.inFeatures();
                    INDArray slot = out.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + o * i)).reshape('c', n, o, i);
                    Nd4j.exec(new MulOp(new INDArray[] {g.reshape('c', n, o, 1), x.reshape('c', n, 1, i)}, new INDArray[] {slot}));
                    off += o * i;
                    if (lin.bias()) {
                        out.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + o)).assign(g);
                        off += o;
                    }
                }
            }
            return out;
        }

        /** The norms of the per-sample gradients {@code [N]}, without the matrix. */
        public INDArray norms() {
            long n = out.size(0);
            norms.assign(0.0);
            for (int k = 0; k < layers.size(); k++) {
                Layer layer = arch.layer(layers.get(k));
                INDArray g = cotangents.get(k);
                INDArray x = inputs.get(k);
                if (layer instanceof Conv2d conv) {
                    long o = conv.outChannels();
                    INDArray cols = im2col(conv, x);
                    long p = cols.size(2);
                    INDArray g3 = g.reshape('c', n, o, p);
                    INDArray prod = scratch.get(k);
                    for (long b = 0; b < n; b++) {
                        Nd4j.gemm(g3.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()),
                                cols.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()),
                                prod.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()), false, true, 1.0, 0.0);
                    }
                    norms.addi(Nd4j.getExecutioner().exec(new SquaredNorm(prod.reshape('c', n, prod.length() / n), 1)));
                    if (conv.bias()) {
                        INDArray gb = g3.sum(2);
                        norms.addi(gb.mul(gb).sum(1));
                    }
                } else if (layer instanceof Linear lin) {
                    INDArray gg = g.mul(g).sum(1);
                    INDArray xx = x.mul(x).sum(1);
                    norms.addi(gg.mul(lin.bias() ? xx.addi(1.0) : xx));
                }
            }
            return Transforms.sqrt(norms, true);
        }

        private static INDArray im2col(Conv2d conv, INDArray x) {
            long n = x.size(0);
            int kh = conv.kernelSize().h();
            int kw = conv.kernelSize().w();
            long[] o = conv.spec().outputSize("floor", x.size(2), x.size(3), kh, kw);
            INDArray cols = Nd4j.createUninitialized(x.dataType(), n, x.size(1), kh, kw, o[0], o[1]);
            Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(x).addOutputs(cols)
                    .addIntegerArguments(kh, kw, conv.stride().h(), conv.stride().w(), conv.padding().h(), conv.padding().w(),
                            conv.dilation().h(), conv.dilation().w(), 0).build());
            return cols.reshape('c', n, x.size(1) * kh * kw, o[0] * o[1]);
        }

        /** The dtype of the result. */
        public DataType dtype() {
            return out.dataType();
        }
    }
}
