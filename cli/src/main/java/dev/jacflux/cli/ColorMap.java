package dev.jacflux.cli;

/**
 * Colour maps of the heatmaps: {@link #DIVERGING} (blue - white - red, ColorBrewer's RdBu
 * reversed, for signed values on a scale symmetric around 0) and {@link #SEQUENTIAL} (viridis, for
 * magnitudes), as piecewise-linear interpolation between anchor colours.
 *
 * <pre>{@code
 * int red = ColorMap.DIVERGING.rgb(1.0);     // 0x67001f, the positive end
 * int white = ColorMap.DIVERGING.rgb(0.5);   // 0xf7f7f7, zero
 * int rgb = ColorMap.SEQUENTIAL.rgb(0.25);
 * }</pre>
 */
public enum ColorMap {
    /** Blue (negative) - white (zero) - red (positive); {@code t = 0.5} is zero. */
    DIVERGING(new int[] {0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f}),
    /** Viridis: dark purple (low) to yellow (high). */
    SEQUENTIAL(new int[] {0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725});

    /** The colour of NaN cells. */
    public static final int NAN_RGB = 0x808080;

    private final int[] anchors;

    ColorMap(int[] anchors) {
        this.anchors = anchors;
    }

    /** The colour at {@code t} in {@code [0, 1]} (clamped; NaN gives {@link #NAN_RGB}), as {@code 0xRRGGBB}. */
    public int rgb(double t) {
        if (Double.isNaN(t)) {
            return NAN_RGB;
        }
        double u = Math.max(0, Math.min(1, t)) * (anchors.length - 1);
        int i = Math.min(anchors.length - 2, (int) Math.floor(u));
        double f = u - i;
        int a = anchors[i];
        int b = anchors[i + 1];
        return mix(a >> 16 & 0xff, b >> 16 & 0xff, f) << 16 | mix(a >> 8 & 0xff, b >> 8 & 0xff, f) << 8 | mix(a & 0xff, b & 0xff, f);
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
