package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;

/**
 * Geometry of a 2-D pooling window ({@link MaxPool2d}, {@link AvgPool2d}) with PyTorch's semantics
 * and {@code ceil_mode=False}: kernel, stride (default: the kernel), padding (default 0, at most half
 * the kernel as PyTorch requires) and dilation (default 1).
 *
 * <pre>{@code
 * Pool2dSpec p = Pool2dSpec.of(new int[] {2, 2});                                 // 2x2, stride 2
 * Pool2dSpec q = Pool2dSpec.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}); // ResNet stem
 * long[] ohw = q.outputSize("max_pool2d", 112, 112);                              // {56, 56}
 * }</pre>
 *
 * @param kh window height
 * @param kw window width
 * @param sh stride along the height
 * @param sw stride along the width
 * @param ph padding above and below ({@code -inf} for max pooling, zeros for average pooling)
 * @param pw padding left and right
 * @param dh dilation along the height
 * @param dw dilation along the width
 */
public record Pool2dSpec(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {

    /** Validates sizes; padding must not exceed half the kernel (PyTorch's rule). */
    public Pool2dSpec {
        if (kh <= 0 || kw <= 0) {
            throw new AutodiffException("pool2d spec: kernel size must be positive, got (" + kh + ", " + kw + ")");
        }
        if (sh <= 0 || sw <= 0) {
            throw new AutodiffException("pool2d spec: stride must be positive, got (" + sh + ", " + sw + ")");
        }
        if (dh <= 0 || dw <= 0) {
            throw new AutodiffException("pool2d spec: dilation must be positive, got (" + dh + ", " + dw + ")");
        }
        if (ph < 0 || pw < 0) {
            throw new AutodiffException("pool2d spec: padding must be non-negative, got (" + ph + ", " + pw + ")");
        }
        if (ph > kh / 2 || pw > kw / 2) {
            throw new AutodiffException("pool2d spec: padding (" + ph + ", " + pw + ") must be at most half the kernel ("
                    + kh + ", " + kw + ")");
        }
    }

    /** A window of {@code {kh, kw}} with stride equal to the kernel, no padding, dilation 1. */
    public static Pool2dSpec of(int[] kernel) {
        pair("kernel", kernel);
        return new Pool2dSpec(kernel[0], kernel[1], kernel[0], kernel[1], 0, 0, 1, 1);
    }

    /** A window with the given stride and padding ({@code {height, width}} each), dilation 1. */
    public static Pool2dSpec of(int[] kernel, int[] stride, int[] padding) {
        return of(kernel, stride, padding, new int[] {1, 1});
    }

    /** A window with the given stride, padding and dilation ({@code {height, width}} each). */
    public static Pool2dSpec of(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        pair("kernel", kernel);
        pair("stride", stride);
        pair("padding", padding);
        pair("dilation", dilation);
        return new Pool2dSpec(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
    }

    private static void pair(String what, int[] v) {
        if (v == null || v.length != 2) {
            throw new AutodiffException("pool2d spec: " + what + " must be an int[2] {height, width}, got "
                    + (v == null ? "null" : java.util.Arrays.toString(v)));
        }
    }

    /** The window geometry as a convolution spec (stride, padding, dilation). */
    public Conv2dSpec conv() {
        return new Conv2dSpec(sh, sw, ph, pw, dh, dw);
    }

    /** Number of elements in one window, {@code kh * kw}. */
    public int windowSize() {
        return kh * kw;
    }

    /**
     * The output height and width for an input of {@code h x w}.
     *
     * @throws AutodiffException if the output would be empty
     */
    public long[] outputSize(String op, long h, long w) {
        return conv().outputSize(op, h, w, kh, kw);
    }

    @Override
    public String toString() {
        return "kernel (" + kh + ", " + kw + "), stride (" + sh + ", " + sw + "), padding (" + ph + ", " + pw
                + "), dilation (" + dh + ", " + dw + ")";
    }
}
