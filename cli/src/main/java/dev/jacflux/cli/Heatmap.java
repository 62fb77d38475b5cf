package dev.jacflux.cli;

import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * Renders a matrix of values as a heatmap picture with a colour scale: cells on the left (row 0 at
 * the top, column 0 at the left), a vertical colour bar on the right labelled with the top, middle
 * and bottom values of the scale.
 *
 * <p>Scale: {@link ColorMap#DIVERGING} and symmetric {@code [-a, a]} with {@code a = max |v|} when
 * any value is negative (signed data: white is zero); otherwise {@link ColorMap#SEQUENTIAL} over
 * {@code [0, max]}. NaN cells are grey; infinite values take the end colours.
 *
 * <p>Layout (all sizes in pixels), fixed so that callers and tests can predict the image size:
 * matrices larger than {@value #MAX_CELLS} cells along an axis are first reduced by blocks (each
 * block shows its value of largest magnitude, keeping the sign); each cell is
 * {@code cell = clamp(512 / max(rows, cols), 1, 32)} pixels square, widened (or heightened) so
 * that the map is at least {@value #MIN_MAP_SIDE} pixels in both directions (so a few rows of
 * outputs over many inputs still show as visible bands). The image is
 * {@code PAD + mapWidth + GAP + BAR_WIDTH + TICK + LABEL_GAP + LABEL_WIDTH + PAD} wide and
 * {@code 2 * PAD + max(mapHeight, MIN_BAR_HEIGHT)} high.
 *
 * <pre>{@code
 * double[] v = {...};                                    // 3 x 4, row-major
 * BufferedImage img = Heatmap.render(v, 3, 4, null);     // 306 x 149 pixels
 * Heatmap.Layout l = Heatmap.layout(3, 4);               // l.width() == 306
 * }</pre>
 */
public final class Heatmap {
    /** Margin around everything. */
    public static final int PAD = 10;
    /** Space between map and colour bar. */
    public static final int GAP = 16;
    /** Width of the colour bar. */
    public static final int BAR_WIDTH = 16;
    /** Length of the tick marks next to the bar. */
    public static final int TICK = 4;
    /** Space between tick and label. */
    public static final int LABEL_GAP = 2;
    /** Scale of the pixel font. */
    public static final int FONT_SCALE = 2;
    /** Characters reserved for a label. */
    public static final int LABEL_CHARS = 10;
    /** Width reserved for labels. */
    public static final int LABEL_WIDTH = LABEL_CHARS * (PixelFont.GLYPH_WIDTH + 1) * FONT_SCALE;
    /** Smallest height of the colour bar. */
    public static final int MIN_BAR_HEIGHT = 128;
    /** Smallest width and height of the map. */
    public static final int MIN_MAP_SIDE = 128;
    /** Target size of the map's longer side. */
    public static final int TARGET = 512;
    /** Largest cell size. */
    public static final int MAX_CELL = 32;
    /** Most cells shown along an axis; larger matrices are reduced by blocks. */
    public static final int MAX_CELLS = 1024;

    private Heatmap() {
    }

    /**
     * Where everything goes.
     *
     * @param rows cells shown vertically (after block reduction)
     * @param cols cells shown horizontally
     * @param rowBlock matrix rows per cell
     * @param colBlock matrix columns per cell
     * @param cellWidth pixels per cell horizontally
     * @param cellHeight pixels per cell vertically
     * @param mapWidth map width
     * @param mapHeight map height
     * @param barHeight colour bar height
     * @param width image width
     * @param height image height
     */
    public record Layout(int rows, int cols, int rowBlock, int colBlock, int cellWidth, int cellHeight, int mapWidth, int mapHeight,
            int barHeight, int width, int height) {
        /** Left edge of the colour bar. */
        public int barX() {
            return PAD + mapWidth + GAP;
        }
    }

    /** The layout for a {@code rows x cols} matrix. */
    public static Layout layout(long rows, long cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("heatmap: empty matrix " + rows + " x " + cols);
        }
        int rb = (int) ((rows + MAX_CELLS - 1) / MAX_CELLS);
        int cb = (int) ((cols + MAX_CELLS - 1) / MAX_CELLS);
        int r = (int) ((rows + rb - 1) / rb);
        int c = (int) ((cols + cb - 1) / cb);
        int cell = Math.max(1, Math.min(MAX_CELL, TARGET / Math.max(r, c)));
        int cw = c * cell < MIN_MAP_SIDE ? (MIN_MAP_SIDE + c - 1) / c : cell;
        int ch = r * cell < MIN_MAP_SIDE ? (MIN_MAP_SIDE + r - 1) / r : cell;
        int mapW = c * cw;
        int mapH = r * ch;
        int barH = Math.max(mapH, MIN_BAR_HEIGHT);
        int width = PAD + mapW + GAP + BAR_WIDTH + TICK + LABEL_GAP + LABEL_WIDTH + PAD;
        int height = 2 * PAD + barH;
        return new Layout(r, c, rb, cb, cw, ch, mapW, mapH, barH, width, height);
    }

    /** The scale chosen for some values: diverging if any is negative. */
    public static ColorMap autoScale(double[] values) {
        for (double v : values) {
            if (v < 0) {
                return ColorMap.DIVERGING;
            }
        }
        return ColorMap.SEQUENTIAL;
    }

    /**
     * Renders a row-major {@code rows x cols} matrix.
     *
     * @param map the colour map, or {@code null} to choose by {@link #autoScale}
     */
    public static BufferedImage render(double[] values, int rows, int cols, ColorMap map) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException("heatmap: " + values.length + " values for a " + rows + " x " + cols + " matrix");
        }
        ColorMap cm = map == null ? autoScale(values) : map;
        double lo;
        double hi;
        double maxAbs = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (cm == ColorMap.DIVERGING) {
            double a = maxAbs > 0 ? maxAbs : 1;
            lo = -a;
            hi = a;
        } else {
            lo = min == Double.POSITIVE_INFINITY ? 0 : Math.min(0, min);
            hi = max == Double.NEGATIVE_INFINITY ? 1 : max;
            if (hi <= lo) {
                hi = lo + 1;
            }
        }
        Layout l = layout(rows, cols);
        BufferedImage img = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
        PixelFont.fill(img, 0, 0, l.width(), l.height(), 0xffffff);
        for (int i = 0; i < l.rows(); i++) {
            for (int j = 0; j < l.cols(); j++) {
                double v = block(values, rows, cols, i, j, l.rowBlock(), l.colBlock());
                int rgb = cm.rgb((v - lo) / (hi - lo));
                PixelFont.fill(img, PAD + j * l.cellWidth(), PAD + i * l.cellHeight(), l.cellWidth(), l.cellHeight(), rgb);
            }
        }
        int barX = l.barX();
        for (int y = 0; y < l.barHeight(); y++) {
            double t = 1.0 - (double) y / Math.max(1, l.barHeight() - 1);
            PixelFont.fill(img, barX, PAD + y, BAR_WIDTH, 1, cm.rgb(t));
        }
        outline(img, barX - 1, PAD - 1, BAR_WIDTH + 2, l.barHeight() + 2, 0x404040);
        double mid = (lo + hi) / 2;
        label(img, l, PAD, hi);
        label(img, l, PAD + (l.barHeight() - 1) / 2, cm == ColorMap.DIVERGING ? 0 : mid);
        label(img, l, PAD + l.barHeight() - 1, lo);
        return img;
    }

    private static double block(double[] values, int rows, int cols, int i, int j, int rb, int cb) {
        if (rb == 1 && cb == 1) {
            return values[i * cols + j];
        }
        double best = Double.NaN;
        for (int r = i * rb; r < Math.min(rows, (i + 1) * rb); r++) {
            for (int c = j * cb; c < Math.min(cols, (j + 1) * cb); c++) {
                double v = values[r * cols + c];
                if (!Double.isNaN(v) && (Double.isNaN(best) || Math.abs(v) > Math.abs(best))) {
                    best = v;
                }
            }
        }
        return best;
    }

    private static void label(BufferedImage img, Layout l, int y, double value) {
        int x = l.barX() + BAR_WIDTH;
        PixelFont.fill(img, x, y, TICK, 1, 0x404040);
        String text = format(value);
        PixelFont.draw(img, text, x + TICK + LABEL_GAP, y - PixelFont.GLYPH_HEIGHT * FONT_SCALE / 2, FONT_SCALE, 0x000000);
    }

    private static void outline(BufferedImage img, int x, int y, int w, int h, int rgb) {
        PixelFont.fill(img, x, y, w, 1, rgb);
        PixelFont.fill(img, x, y + h - 1, w, 1, rgb);
        PixelFont.fill(img, x, y, 1, h, rgb);
        PixelFont.fill(img, x + w - 1, y, 1, h, rgb);
    }

    /** A scale label of at most {@value #LABEL_CHARS} characters: {@code 0}, {@code 0.5}, {@code -1.23e-05}. */
    public static String format(double v) {
        if (v == 0) {
            return "0";
        }
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = String.format(Locale.ROOT, "%.3g", v);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        String exponent = e < 0 ? "" : s.substring(e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "");
            if (mantissa.endsWith(".")) {
                mantissa = mantissa.substring(0, mantissa.length() - 1);
            }
        }
        return mantissa + exponent;
    }
}
