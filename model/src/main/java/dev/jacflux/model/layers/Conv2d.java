package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.Conv2dSpec;
import java.util.List;

/**
 * A 2-D convolution, PyTorch's {@code nn.Conv2d} (cross-correlation, zero padding, one group):
 * per-sample input {@code [C, H, W]}, {@code weight [out, in, kh, kw]}, {@code bias [out]},
 * output {@code [out, oh, ow]} with {@code o = floor((i + 2p - d (k - 1) - 1) / s) + 1}.
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
}
