package dev.jacflux.model.layers;

import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.BatchedGemm;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A dense layer, PyTorch's {@code nn.Linear}: {@code y = x W^T + b} with {@code weight [out, in]}
 * and {@code bias [out]}, applied to the last axis of each sample ({@code [*, in] -> [*, out]}),
 * through the engine's {@link dev.jacflux.autodiff.ops.Linear} op.
 *
 * <p>Per-sample rule ({@link Rule}), with {@code x_b [T, in]} and {@code g_b [T, out]} sample
 * {@code b}'s input and output cotangent ({@code T = 1} for vectors): the weight gradient is
 * {@code g_b^T x_b} (an outer product per sample, written by one broadcasting multiply straight
 * into the result's columns; for {@code T > 1} one small GEMM per sample), the bias gradient
 * {@code sum_t g_b[t]}; squared norms {@code ||g_b||^2 ||x_b||^2} for vectors (ghost norms), else by
 * {@link GramChoice}; the weighted sum {@code (c ⊙ G)^T X} is one GEMM.
 *
 * <pre>{@code
 * Linear fc = Linear.of("fc", 784, 256);           // with bias
 * Linear nb = new Linear("proj", 64, 32, false);   // without bias
 * }</pre>
 *
 * @param name layer name (required)
 * @param inFeatures {@code in_features}
 * @param outFeatures {@code out_features}
 * @param bias whether there is a bias
 */
public record Linear(String name, long inFeatures, long outFeatures, boolean bias) implements Layer {
    public static final String TYPE = "linear";

    public Linear {
        Checks.requireName(TYPE, name);
        Checks.positive(TYPE, name, "in_features", inFeatures);
        Checks.positive(TYPE, name, "out_features", outFeatures);
    }

    /** A linear layer with a bias. */
    public static Linear of(String name, long inFeatures, long outFeatures) {
        return new Linear(name, inFeatures, outFeatures, true);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<TensorSpec> parameters() {
        TensorSpec w = new TensorSpec("weight", new long[] {outFeatures, inFeatures});
        return bias ? List.of(w, new TensorSpec("bias", new long[] {outFeatures})) : List.of(w);
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length < 1 || in[in.length - 1] != inFeatures) {
            throw new LayerException(TYPE, name, "in_features", "expected a per-sample input [*, " + inFeatures + "] (in_features "
                    + inFeatures + "), got " + Shapes.str(in));
        }
        long[] out = in.clone();
        out[out.length - 1] = outFeatures;
        return out;
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        return dev.jacflux.autodiff.ops.Linear.apply(x, params.get(0), bias ? params.get(1) : null);
    }

    @Override
    public PerSampleRule perSampleRule() {
        return new Rule(this);
    }

    /** The per-sample rule of a dense layer (see the class comment). */
    static final class Rule implements PerSampleRule {
        private final Linear layer;

        Rule(Linear layer) {
            this.layer = layer;
        }

        @Override
        public void writeGradients(LayerFactors f, INDArray rows) {
            long n = f.n();
            long out = layer.outFeatures();
            long in = layer.inFeatures();
            INDArray g = ProductNorms.dense(f.positions(f.g(), out));                   // [n, T, out]
            INDArray x = ProductNorms.dense(f.positions(f.input().value(), in));        // [n, T, in]
            long t = g.size(1);
            INDArray weights = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(0, out * in));
            if (t == 1) {
                INDArray w3 = weights.reshape('c', n, out, in);
                try (NativeThreads.Scope wide = NativeThreads.wideElementwise(n * out * in)) {
                    if (w3.data().address() == rows.data().address() && w3.offset() == weights.offset()) {
                        // g_b (outer) x_b for every sample: one broadcasting multiply into the result's own memory
                        Nd4j.exec(new MulOp(new INDArray[] {g.reshape('c', n, out, 1), x.reshape('c', n, 1, in)}, new INDArray[] {w3}));
                    } else {
                        weights.assign(g.reshape('c', n, out, 1).mul(x.reshape('c', n, 1, in)).reshape('c', n, out * in));
                    }
                }
            } else if (BatchedGemm.supports(g, x, rows) && weights.stride(weights.rank() - 1) == 1) {
                // g_b^T x_b [out, in] for every sample, one small GEMM each, into its row
                long rowStride = n == 1 ? out * in : weights.stride(0);
                BatchedGemm.run(n, BatchedGemm.operand(g, t * out, out), true, BatchedGemm.operand(x, t * in, in), false,
                        BatchedGemm.operand(weights, rowStride, in), out, in, t, 1.0, 0.0);
            } else {
                weights.assign(Nd4j.matmul(g.permute(0, 2, 1).dup('c'), x).reshape('c', n, out * in));
            }
            if (layer.bias()) {
                rows.get(NDArrayIndex.all(), NDArrayIndex.interval(out * in, out * in + out)).assign(t == 1 ? g.reshape('c', n, out) : g.sum(1));
            }
        }

        @Override
        public List<INDArray> squaredNorms(LayerFactors f, GramChoice choice) {
            long out = layer.outFeatures();
            long in = layer.inFeatures();
            INDArray g = f.positions(f.g(), out);
            INDArray x = f.positions(f.input().value(), in);
            List<INDArray> norms = new ArrayList<>();
            norms.add(ProductNorms.productSquares(g, true, out, x, true, in, g.size(1), f.n(), choice));
            if (layer.bias()) {
                norms.add(ProductNorms.rowSquares(g.size(1) == 1 ? g : g.sum(1)));
            }
            return norms;
        }

        @Override
        public List<INDArray> weightedSum(LayerFactors f, INDArray c) {
            long n = f.n();
            long out = layer.outFeatures();
            long in = layer.inFeatures();
            long t = f.g().length() / (n * out);
            INDArray gc = f.positions(f.g(), out).mul(c.reshape('c', n, 1, 1)).reshape('c', n * t, out);
            INDArray x = ProductNorms.dense(f.input().value().reshape('c', n * t, in));
            INDArray gw = Nd4j.createUninitialized(f.g().dataType(), out, in);
            try (NativeThreads.Scope wide = NativeThreads.wide(out * in, n * t)) {
                Nd4j.gemm(gc, x, gw, true, false, 1.0, 0.0);
            }
            List<INDArray> sums = new ArrayList<>();
            sums.add(gw);
            if (layer.bias()) {
                sums.add(gc.sum(0));
            }
            return sums;
        }

        @Override
        public long workPerSample(Layer l, long[] inShape, long[] outShape, GramChoice choice) {
            long t = Shapes.numel(inShape) / layer.inFeatures();
            return ProductNorms.work(t, layer.outFeatures(), layer.inFeatures(), choice);
        }
    }
}
