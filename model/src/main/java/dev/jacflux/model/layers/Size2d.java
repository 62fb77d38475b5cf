package dev.jacflux.model.layers;

/**
 * A (height, width) pair: kernel size, stride, padding or dilation of a 2-D layer, as PyTorch's
 * {@code (h, w)} tuples.
 *
 * <pre>{@code
 * Size2d k = Size2d.of(3, 3);
 * Size2d s = Size2d.square(2);   // (2, 2)
 * }</pre>
 *
 * @param h along the height
 * @param w along the width
 */
public record Size2d(int h, int w) {

    /** {@code (h, w)}. */
    public static Size2d of(int h, int w) {
        return new Size2d(h, w);
    }

    /** {@code (v, v)}. */
    public static Size2d square(int v) {
        return new Size2d(v, v);
    }

    /** {@code {h, w}}. */
    public int[] toArray() {
        return new int[] {h, w};
    }

    @Override
    public String toString() {
        return "[" + h + ", " + w + "]";
    }
}
