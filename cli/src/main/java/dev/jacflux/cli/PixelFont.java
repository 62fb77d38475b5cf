package dev.jacflux.cli;

import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * A 5x7 pixel font for the numbers of a heatmap's colour scale ({@code 0-9 - + . e}, and
 * {@code n a i f} for {@code nan}/{@code inf}), drawn pixel by pixel so that rendering needs no
 * system fonts (headless servers and minimal containers often have none).
 *
 * <pre>{@code
 * PixelFont.draw(image, "-1.5e-03", x, y, 2, 0x000000);   // 2x scale: 10x14 pixels per glyph
 * int w = PixelFont.width("-1.5e-03", 2);                 // 8 glyphs * 6 * 2 = 96
 * }</pre>
 */
public final class PixelFont {
    /** Glyph width in font pixels (plus one pixel of spacing per character). */
    public static final int GLYPH_WIDTH = 5;
    /** Glyph height in font pixels. */
    public static final int GLYPH_HEIGHT = 7;

    private static final Map<Character, String[]> GLYPHS = Map.ofEntries(
            Map.entry('0', new String[] {"01110", "10001", "10011", "10101", "11001", "10001", "01110"}),
            Map.entry('1', new String[] {"00100", "01100", "00100", "00100", "00100", "00100", "01110"}),
            Map.entry('2', new String[] {"01110", "10001", "00001", "00010", "00100", "01000", "11111"}),
            Map.entry('3', new String[] {"11111", "00010", "00100", "00010", "00001", "10001", "01110"}),
            Map.entry('4', new String[] {"00010", "00110", "01010", "10010", "11111", "00010", "00010"}),
            Map.entry('5', new String[] {"11111", "10000", "11110", "00001", "00001", "10001", "01110"}),
            Map.entry('6', new String[] {"00110", "01000", "10000", "11110", "10001", "10001", "01110"}),
            Map.entry('7', new String[] {"11111", "00001", "00010", "00100", "01000", "01000", "01000"}),
            Map.entry('8', new String[] {"01110", "10001", "10001", "01110", "10001", "10001", "01110"}),
            Map.entry('9', new String[] {"01110", "10001", "10001", "01111", "00001", "00010", "01100"}),
            Map.entry('-', new String[] {"00000", "00000", "00000", "11111", "00000", "00000", "00000"}),
            Map.entry('+', new String[] {"00000", "00100", "00100", "11111", "00100", "00100", "00000"}),
            Map.entry('.', new String[] {"00000", "00000", "00000", "00000", "00000", "01100", "01100"}),
            Map.entry('e', new String[] {"00000", "00000", "01110", "10001", "11111", "10000", "01110"}),
            Map.entry('n', new String[] {"00000", "00000", "10110", "11001", "10001", "10001", "10001"}),
            Map.entry('a', new String[] {"00000", "00000", "01110", "00001", "01111", "10001", "01111"}),
            Map.entry('i', new String[] {"00100", "00000", "01100", "00100", "00100", "00100", "01110"}),
            Map.entry('f', new String[] {"00110", "01001", "01000", "11100", "01000", "01000", "01000"}),
            Map.entry(' ', new String[] {"00000", "00000", "00000", "00000", "00000", "00000", "00000"}));

    private PixelFont() {
    }

    /** Width in image pixels of {@code text} at {@code scale}. */
    public static int width(String text, int scale) {
        return text.length() * (GLYPH_WIDTH + 1) * scale;
    }

    /**
     * Draws {@code text} with its top-left corner at {@code (x, y)}; pixels outside the image and
     * characters without a glyph are skipped.
     */
    public static void draw(BufferedImage img, String text, int x, int y, int scale, int rgb) {
        for (int c = 0; c < text.length(); c++) {
            String[] g = GLYPHS.get(text.charAt(c));
            if (g == null) {
                continue;
            }
            int gx = x + c * (GLYPH_WIDTH + 1) * scale;
            for (int row = 0; row < GLYPH_HEIGHT; row++) {
                for (int col = 0; col < GLYPH_WIDTH; col++) {
                    if (g[row].charAt(col) == '1') {
                        fill(img, gx + col * scale, y + row * scale, scale, scale, rgb);
                    }
                }
            }
        }
    }

    /** Fills a rectangle, clipped to the image. */
    static void fill(BufferedImage img, int x, int y, int w, int h, int rgb) {
        for (int yy = Math.max(0, y); yy < Math.min(img.getHeight(), y + h); yy++) {
            for (int xx = Math.max(0, x); xx < Math.min(img.getWidth(), x + w); xx++) {
                img.setRGB(xx, yy, rgb);
            }
        }
    }
}
