package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.Pool2dSpec;
import java.util.List;

/**
 * 2-D average pooling, PyTorch's {@code nn.AvgPool2d} with {@code ceil_mode=False} and
 * {@code count_include_pad=True} (zero padding counts; every window is divided by
 * {@code kh * kw}): per-sample input {@code [C, H, W]}, windows of {@code kernel_size} moved by
 * {@code stride} (default: the kernel size), {@code padding} at most half the kernel.
 *
 * <pre>{@code
 * Layer pool = AvgPool2d.of(2);   // [C, 8, 8] -> [C, 4, 4]
 * }</pre>
 *
 * @param name optional layer name
 * @param kernelSize {@code kernel_size}
 * @param stride {@code stride}
 * @param padding {@code padding} (default 0)
 */
public record AvgPool2d(String name, Size2d kernelSize, Size2d stride, Size2d padding) implements Layer {
    public static final String TYPE = "avgpool2d";

    public AvgPool2d {
        Checks.optionalName(TYPE, name);
        Checks.positive(TYPE, name, "kernel_size", kernelSize);
        Checks.positive(TYPE, name, "stride", stride);
        Checks.nonNegative(TYPE, name, "padding", padding);
        if (padding.h() > kernelSize.h() / 2 || padding.w() > kernelSize.w() / 2) {
            throw new LayerException(TYPE, name, "padding", "must be at most half the kernel size " + kernelSize + ", got " + padding);
        }
    }

    /** Square windows of {@code k} with stride {@code k}. */
    public static AvgPool2d of(int k) {
        return new AvgPool2d(null, Size2d.square(k), Size2d.square(k), Size2d.square(0));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length != 3) {
            throw new LayerException(TYPE, name, null, "expected a per-sample input [C, H, W], got " + Shapes.str(in));
        }
        long oh = Checks.windowOut(TYPE, name, in[1], kernelSize.h(), stride.h(), padding.h(), 1, "height");
        long ow = Checks.windowOut(TYPE, name, in[2], kernelSize.w(), stride.w(), padding.w(), 1, "width");
        return new long[] {in[0], oh, ow};
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        return dev.jacflux.autodiff.ops.AvgPool2d.apply(x, Pool2dSpec.of(kernelSize.toArray(), stride.toArray(), padding.toArray()));
    }
}
