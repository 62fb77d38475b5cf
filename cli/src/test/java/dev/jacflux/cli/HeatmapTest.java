package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The heatmap renderer's pieces: layout, label format, colour maps, font. */
class HeatmapTest {
    @Test
    void layoutFollowsTheDocumentedFormula() {
        Heatmap.Layout l = Heatmap.layout(3, 4);
        assertEquals(32, l.cellWidth());
        assertEquals(128, l.mapWidth());
        assertEquals(43, l.cellHeight(), "3 rows of 32 px would be lower than 128 px");
        assertEquals(129, l.mapHeight());
        assertEquals(306, l.width());
        assertEquals(149, l.height());
        Heatmap.Layout tall = Heatmap.layout(600, 10);
        assertEquals(1, tall.cellHeight(), "512 / 600 rounds down to 0 -> at least 1");
        assertEquals(13, tall.cellWidth(), "10 columns of 1 px would be narrower than 128 px");
        assertEquals(600 + 20, tall.height());
        Heatmap.Layout huge = Heatmap.layout(5000, 2048);
        assertEquals(5, huge.rowBlock());
        assertEquals(2, huge.colBlock());
        assertEquals(1000, huge.rows());
        assertEquals(1024, huge.cols());
    }

    @Test
    void labelsAreShortNumbers() {
        assertEquals("0", Heatmap.format(0));
        assertEquals("0.5", Heatmap.format(0.5));
        assertEquals("-1.5", Heatmap.format(-1.5));
        assertEquals("123", Heatmap.format(123));
        assertEquals("1.23e+04", Heatmap.format(12345));
        assertEquals("-1.23e-05", Heatmap.format(-0.0000123456));
        assertEquals("0.000123", Heatmap.format(0.000123));
        for (double v : new double[] {-9.99e-300, 1e300, -0.00012345, Double.NaN, Double.NEGATIVE_INFINITY}) {
            assertTrue(Heatmap.format(v).length() <= Heatmap.LABEL_CHARS, Heatmap.format(v));
        }
    }

    @Test
    void colourMapsInterpolateBetweenTheirEnds() {
        assertEquals(0x053061, ColorMap.DIVERGING.rgb(0));
        assertEquals(0xf7f7f7, ColorMap.DIVERGING.rgb(0.5));
        assertEquals(0x67001f, ColorMap.DIVERGING.rgb(1));
        assertEquals(0x67001f, ColorMap.DIVERGING.rgb(7), "clamped");
        assertEquals(ColorMap.NAN_RGB, ColorMap.SEQUENTIAL.rgb(Double.NaN));
        int mid = ColorMap.SEQUENTIAL.rgb(0.5 / 9);   // halfway between the first two anchors
        assertEquals((0x44 + 0x48 + 1) / 2, mid >> 16 & 0xff);
    }

    @Test
    void nanCellsAreGreyAndTheDigitsAreDrawn() {
        BufferedImage img = Heatmap.render(new double[] {Double.NaN, 1, -1, 0}, 2, 2, null);
        assertEquals(ColorMap.NAN_RGB, img.getRGB(10 + 5, 10 + 5) & 0xffffff);
        Heatmap.Layout l = Heatmap.layout(2, 2);
        int black = 0;
        for (int x = l.barX() + Heatmap.BAR_WIDTH; x < l.width(); x++) {
            for (int y = 0; y < l.height(); y++) {
                if ((img.getRGB(x, y) & 0xffffff) == 0) {
                    black++;
                }
            }
        }
        assertTrue(black > 50, "label pixels drawn: " + black);
    }
}
