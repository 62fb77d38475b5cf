package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import java.util.Arrays;

/**
 * Geometry of a 2-D convolution (and of {@link Im2Col}/{@link Col2Im}): stride, zero padding and
 * dilation along height and width, as in PyTorch's {@code conv2d}/{@code unfold}. Output sizes
 * follow {@code out = floor((in + 2 p - d (k - 1) - 1) / s) + 1}.
 *
 * <pre>{@code
 * Conv2dSpec spec = Conv2dSpec.of(new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 1});
 * long[] ohw = spec.outputSize("conv2d", 32, 32, 3, 3);   // {16, 32}
 * Conv2dSpec plain = Conv2dSpec.DEFAULT;                   // stride 1, padding 0, dilation 1
 * }</pre>
 *
 * @param sh stride along the height (positive)
 * @param sw stride along the width (positive)
 * @param ph zero padding added above and below (non-negative)
 * @param pw zero padding added left and right (non-negative)
 * @param dh dilation along the height (positive)
 * @param dw dilation along the width (positive)
 */
public record Conv2dSpec(int sh, int sw, int ph, int pw, int dh, int dw) {

    /** Stride 1, padding 0, dilation 1. */
    public static final Conv2dSpec DEFAULT = new Conv2dSpec(1, 1, 0, 0, 1, 1);

    /** Validates: strides and dilations positive, paddings non-negative. */
    public Conv2dSpec {
        if (sh <= 0 || sw <= 0) {
            throw new AutodiffException("conv2d spec: stride must be positive, got (" + sh + ", " + sw + ")");
        }
        if (dh <= 0 || dw <= 0) {
            throw new AutodiffException("conv2d spec: dilation must be positive, got (" + dh + ", " + dw + ")");
        }
        if (ph < 0 || pw < 0) {
            throw new AutodiffException("conv2d spec: padding must be non-negative, got (" + ph + ", " + pw + ")");
        }
    }

    /**
     * A spec from {@code {height, width}} pairs.
     *
     * @param stride {@code {sh, sw}}
     * @param padding {@code {ph, pw}}
     * @param dilation {@code {dh, dw}}
     */
    public static Conv2dSpec of(int[] stride, int[] padding, int[] dilation) {
        pair("stride", stride);
        pair("padding", padding);
        pair("dilation", dilation);
        return new Conv2dSpec(stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
    }

    static void pair(String what, int[] v) {
        if (v == null || v.length != 2) {
            throw new AutodiffException("conv2d spec: " + what + " must be an int[2] {height, width}, got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
    }

    /** This spec with the padding set to zero (for inputs that were padded explicitly). */
    public Conv2dSpec withoutPadding() {
        return new Conv2dSpec(sh, sw, 0, 0, dh, dw);
    }

    /**
     * The output height and width for an input of {@code h x w} and a kernel of {@code kh x kw}.
     *
     * @param op name of the calling op, for the error message
     * @return {@code {oh, ow}}, both positive
     * @throws AutodiffException if the kernel is not positive or the output would be empty
     */
    public long[] outputSize(String op, long h, long w, long kh, long kw) {
        if (kh <= 0 || kw <= 0) {
            throw new AutodiffException(op + ": kernel size must be positive, got " + kh + " x " + kw);
        }
        long effH = (long) dh * (kh - 1) + 1;
        long effW = (long) dw * (kw - 1) + 1;
        long spanH = h + 2L * ph - effH;
        long spanW = w + 2L * pw - effW;
        if (spanH < 0 || spanW < 0) {
            throw new AutodiffException(op + ": output would be empty: input " + h + " x " + w + " (padded "
                    + (h + 2L * ph) + " x " + (w + 2L * pw) + ") is smaller than the kernel " + kh + " x " + kw
                    + " (dilated " + effH + " x " + effW + ") with " + this);
        }
        return new long[] {spanH / sh + 1, spanW / sw + 1};
    }

    @Override
    public String toString() {
        return "stride (" + sh + ", " + sw + "), padding (" + ph + ", " + pw + "), dilation (" + dh + ", " + dw + ")";
    }
}
