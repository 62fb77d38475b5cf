package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.BatchedGemm;
import dev.jacflux.autodiff.ops.Conv2dSpec;
import dev.jacflux.autodiff.ops.ConvKernels;
import dev.jacflux.autodiff.ops.ScratchArrays;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A 2-D convolution, PyTorch's {@code nn.Conv2d} (cross-correlation, zero padding, one group):
 * per-sample input {@code [C, H, W]}, {@code weight [out, in, kh, kw]}, {@code bias [out]},
 * output {@code [out, oh, ow]} with {@code o = floor((i + 2p - d (k - 1) - 1) / s) + 1}.
 *
 * <p>Per-sample rule ({@link Rule}), with {@code C_b [C*kh*kw, P]} the im2col columns of sample
 * {@code b}'s input (computed into per-thread scratch, not kept) and {@code G_b [out, P]} its output
 * cotangent over the {@code P} output positions: the weight gradient {@code G_b C_b^T} is one small
 * GEMM per sample written straight into its row of the result, the bias gradient the row sums of
 * {@code G_b}; squared norms form {@code G_b C_b^T} in scratch or use Gram matrices over positions,
 * whichever is cheaper ({@link GramChoice}); the weighted sum accumulates
 * {@code sum_b c_b G_b C_b^T} in the GEMMs.
 *
 * <pre>{@code
 * Conv2d conv = Conv2d.of("conv1", 3, 16, 3);                         // 3x3, stride 1, no padding
 * Conv2d same = new Conv2d("conv2", 16, 16, Size2d.square(3), Size2d.square(1),
 *         Size2d.square(1), Size2d.square(1), true);                  // padding 1
 * }</pre>
 *
 * @param name layer name (required)
 * @param inChannels {@code in_channels}
 * @param outChannels {@code out_channels}
 * @param kernelSize {@code kernel_size}
 * @param stride {@code stride} (default 1)
 * @param padding {@code padding} (default 0)
 * @param dilation {@code dilation} (default 1)
 * @param bias {@code bias} (default true)
 */
public record Conv2d(String name, long inChannels, long outChannels, Size2d kernelSize, Size2d stride, Size2d padding, Size2d dilation,
        boolean bias) implements Layer {
    public static final String TYPE = "conv2d";

    public Conv2d {
        Checks.requireName(TYPE, name);
        Checks.positive(TYPE, name, "in_channels", inChannels);
        Checks.positive(TYPE, name, "out_channels", outChannels);
        Checks.positive(TYPE, name, "kernel_size", kernelSize);
        Checks.positive(TYPE, name, "stride", stride);
        Checks.nonNegative(TYPE, name, "padding", padding);
        Checks.positive(TYPE, name, "dilation", dilation);
    }

    /** A square kernel, stride 1, no padding, dilation 1, with bias. */
    public static Conv2d of(String name, long inChannels, long outChannels, int kernel) {
        return new Conv2d(name, inChannels, outChannels, Size2d.square(kernel), Size2d.square(1), Size2d.square(0), Size2d.square(1), true);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<TensorSpec> parameters() {
        TensorSpec w = new TensorSpec("weight", new long[] {outChannels, inChannels, kernelSize.h(), kernelSize.w()});
        return bias ? List.of(w, new TensorSpec("bias", new long[] {outChannels})) : List.of(w);
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length != 3) {
            throw new LayerException(TYPE, name, null, "expected a per-sample input [C, H, W], got " + Shapes.str(in));
        }
        if (in[0] != inChannels) {
            throw new LayerException(TYPE, name, "in_channels", "expected " + inChannels + " input channels (in_channels), got input "
                    + Shapes.str(in));
        }
        long oh = Checks.windowOut(TYPE, name, in[1], kernelSize.h(), stride.h(), padding.h(), dilation.h(), "height");
        long ow = Checks.windowOut(TYPE, name, in[2], kernelSize.w(), stride.w(), padding.w(), dilation.w(), "width");
        return new long[] {outChannels, oh, ow};
    }

    /** Stride, padding and dilation as the conv op's spec. */
    public Conv2dSpec spec() {
        return Conv2dSpec.of(stride.toArray(), padding.toArray(), dilation.toArray());
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        return dev.jacflux.autodiff.ops.Conv2d.apply(x, params.get(0), bias ? params.get(1) : null, spec());
    }

    @Override
    public PerSampleRule perSampleRule() {
        return new Rule(this);
    }

    /** The per-sample rule of a convolution (see the class comment). */
    static final class Rule implements PerSampleRule {
        private final Conv2d layer;

        Rule(Conv2d layer) {
            this.layer = layer;
        }

        private long kernelRows() {
            return layer.inChannels() * layer.kernelSize().h() * layer.kernelSize().w();
        }

        /** The im2col columns {@code [n, C*kh*kw, P]} of the layer's input, in a scratch lease. */
        private ScratchArrays.Lease columns(LayerFactors f, long p) {
            INDArray x = f.input().value();
            ScratchArrays.Lease cols = ScratchArrays.take(x.dataType(), f.n(), kernelRows(), p);
            ConvKernels.im2colInto(x, layer.kernelSize().h(), layer.kernelSize().w(), layer.spec(), 0.0, cols.array());
            return cols;
        }

        @Override
        public void writeGradients(LayerFactors f, INDArray rows) {
            long n = f.n();
            long o = layer.outChannels();
            long ckk = kernelRows();
            long p = f.g().length() / (n * o);
            INDArray g = ProductNorms.dense(f.g().reshape('c', n, o, p));
            INDArray weights = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(0, o * ckk));
            INDArray biasRows = layer.bias() ? rows.get(NDArrayIndex.all(), NDArrayIndex.interval(o * ckk, o * ckk + o)) : null;
            // G_b [O, P] @ C_b^T [P, CKK] for every sample, each sample's columns made just before its GEMM, straight into its row,
            // and its bias gradient summed from G_b while in cache
            if (!ConvKernels.perSampleWeightGradients(f.input().value(), g, o, layer.kernelSize().h(), layer.kernelSize().w(), layer.spec(),
                    weights, biasRows)) {
                try (ScratchArrays.Lease cols = columns(f, p)) {
                    weights.assign(Nd4j.matmul(g, cols.array().permute(0, 2, 1).dup('c')).reshape('c', n, o * ckk));
                }
                if (biasRows != null) {
                    biasRows.assign(g.sum(2));
                }
            }
        }

        @Override
        public List<INDArray> squaredNorms(LayerFactors f, GramChoice choice) {
            long n = f.n();
            long o = layer.outChannels();
            long p = f.g().length() / (n * o);
            INDArray g = f.g().reshape('c', n, o, p);
            List<INDArray> norms = new ArrayList<>();
            INDArray[] fused = p > 1 && !choice.useGram(p, o, kernelRows())
                    ? ConvKernels.perSampleGradientSquares(f.input().value(), g, o, layer.kernelSize().h(), layer.kernelSize().w(),
                            layer.spec(), layer.bias())
                    : null;
            if (fused != null) {
                // each sample's columns and product made in cache, only the squared norms kept
                norms.add(fused[0]);
                if (layer.bias()) {
                    norms.add(fused[1]);
                }
                return norms;
            }
            try (ScratchArrays.Lease cols = columns(f, p)) {
                // ||G_b C_b^T||^2 with both operands stored positions-last
                norms.add(ProductNorms.productSquares(g, false, o, cols.array(), false, kernelRows(), p, n, choice));
            }
            if (layer.bias()) {
                norms.add(ProductNorms.rowSquares(g.sum(2)));
            }
            return norms;
        }

        @Override
        public List<INDArray> weightedSum(LayerFactors f, INDArray c) {
            long n = f.n();
            long o = layer.outChannels();
            long ckk = kernelRows();
            long p = f.g().length() / (n * o);
            INDArray gc = f.g().reshape('c', n, o, p).mul(c.reshape('c', n, 1, 1));
            INDArray gw = Nd4j.createUninitialized(gc.dataType(), o, ckk);
            try (ScratchArrays.Lease cols = columns(f, p)) {
                // sum_b (c_b G_b) C_b^T: the first sample's GEMM writes, the others accumulate
                BatchedGemm.run(1, BatchedGemm.operand(gc, 0, p), false, BatchedGemm.operand(cols.array(), 0, p), true,
                        BatchedGemm.operand(gw, 0, ckk), o, ckk, p, 1.0, 0.0);
                if (n > 1) {
                    INDArray gRest = gc.reshape('c', new long[] {gc.length()}).get(NDArrayIndex.interval(o * p, gc.length()));
                    INDArray cRest = cols.array().reshape('c', new long[] {cols.array().length()})
                            .get(NDArrayIndex.interval(ckk * p, cols.array().length()));
                    BatchedGemm.run(n - 1, BatchedGemm.operand(gRest, o * p, p), false, BatchedGemm.operand(cRest, ckk * p, p), true,
                            BatchedGemm.operand(gw, 0, ckk), o, ckk, p, 1.0, 1.0);
                }
            }
            List<INDArray> sums = new ArrayList<>();
            sums.add(gw.reshape('c', o, layer.inChannels(), layer.kernelSize().h(), layer.kernelSize().w()));
            if (layer.bias()) {
                sums.add(gc.sum(0, 2));
            }
            return sums;
        }

        @Override
        public long workPerSample(Layer l, long[] inShape, long[] outShape, GramChoice choice) {
            long p = outShape[1] * outShape[2];
            long ckk = kernelRows();
            if (p > 1 && !choice.useGram(p, layer.outChannels(), ckk)) {
                // gradients and direct norms are made one sample at a time in per-thread scratch (ConvKernels);
                // the batch's columns are still made for weighted sums
                return ckk * p;
            }
            return ckk * p + ProductNorms.work(p, layer.outChannels(), ckk, choice);
        }
    }
}
