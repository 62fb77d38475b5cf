package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code jacflux heatmap}: the PNG decodes, has the documented size, and its cells have the scale's colours. */
class HeatmapCommandTest {
    @TempDir
    Path dir;

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }

    /** The colour halfway between two colours, each channel rounded half up (computed here, not by ColorMap). */
    private static int halfway(int a, int b) {
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int ca = a >> shift & 0xff;
            int cb = b >> shift & 0xff;
            rgb |= (int) Math.floor((ca + cb) / 2.0 + 0.5) << shift;
        }
        return rgb;
    }

    /**
     * A value at half the maximum is t = 0.5 of viridis: halfway between its samples at 4/9
     * (0x26828e) and 5/9 (0x1f9e89), and within 3 per channel of matplotlib's viridis(0.5),
     * 0x21918c.
     */
    private static void assertViridisMiddle(int rgb) {
        assertEquals(halfway(0x26828e, 0x1f9e89), rgb);
        for (int shift = 16; shift >= 0; shift -= 8) {
            assertTrue(Math.abs((rgb >> shift & 0xff) - (0x21918c >> shift & 0xff)) <= 3, Integer.toHexString(rgb));
        }
    }

    /** The centre pixel of cell (row, col) for square cells of {@code cell} pixels. */
    private static int cell(BufferedImage img, int row, int col, int cellW, int cellH) {
        return rgb(img, 10 + col * cellW + cellW / 2, 10 + row * cellH + cellH / 2);
    }

    @Test
    void matrixOfOneSampleWithADivergingScale() throws IOException {
        // sample 1 of [2, 3, 4]: +2 at (0, 0), -2 at (2, 3), 0 at (1, 1), 1 at (0, 1)
        double[] v = new double[24];
        v[12] = 2;
        v[12 + 11] = -2;
        v[12 + 5] = 0;
        v[12 + 1] = 1;
        v[12 + 2] = 0.5;
        v[0] = 100;   // sample 0 must not influence the picture of sample 1
        Path j = Cli.npy(dir, "J.npy", Nd4j.create(v, new long[] {2, 3, 4}, DataType.DOUBLE));
        Path png = dir.resolve("map.png");
        Cli.Result r = Cli.ok("heatmap", "--jacobian", j.toString(), "--sample", "1", "--out", png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "PNG decodes");
        // 4 columns of 32 px: 10 + 128 + 16 + 16 + 4 + 2 + 120 + 10 = 306;
        // 3 rows of ceil(128 / 3) = 43 px (the map is at least 128 px high): 10 + 129 + 10 = 149
        assertEquals(306, img.getWidth());
        assertEquals(149, img.getHeight());
        assertEquals(0x67001f, cell(img, 0, 0, 32, 43), "max positive: dark red");
        assertEquals(0x053061, cell(img, 2, 3, 32, 43), "max negative: dark blue");
        assertEquals(0xf7f7f7, cell(img, 1, 1, 32, 43), "zero: white");
        // half of the maximum is t = 0.75 on the scale: halfway between RdBu's 0xf4a582 (t = 0.7) and 0xd6604d (t = 0.8)
        assertEquals(halfway(0xf4a582, 0xd6604d), cell(img, 0, 1, 32, 43), "half of max: t = 0.75");
        assertEquals(0xe58368, halfway(0xf4a582, 0xd6604d));
        // colour bar: top is the positive end, bottom the negative end
        int barX = 10 + 128 + 16 + 8;
        assertEquals(0x67001f, rgb(img, barX, 10));
        assertEquals(0x053061, rgb(img, barX, 10 + 128));
        assertTrue(r.out().contains("306 x 149 PNG, sample 1, jacobian [3] x [4] as 3 x 4, diverging scale"), r.out());
    }

    @Test
    void saliencyMapOfOneOutputOverAnImageInput() throws IOException {
        INDArray j = Nd4j.zeros(DataType.FLOAT, 1, 10, 1, 8, 8);
        j.putScalar(new long[] {0, 3, 0, 2, 5}, 0.5f);   // output 3, pixel (2, 5)
        j.putScalar(new long[] {0, 3, 0, 7, 0}, 0.25f);
        j.putScalar(new long[] {0, 4, 0, 0, 0}, -9f);     // another output: not shown
        Path png = dir.resolve("saliency.png");
        Cli.Result r = Cli.ok("heatmap", "--jacobian", Cli.npy(dir, "J.npy", j).toString(), "--output-index", "3", "--out",
                png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        // 8 x 8 cells of 32 px: 10 + 256 + 168 = 434 wide, 10 + 256 + 10 = 276 high
        assertEquals(434, img.getWidth());
        assertEquals(276, img.getHeight());
        assertEquals(0xfde725, cell(img, 2, 5, 32, 32), "maximum: the top of viridis");
        assertEquals(0x440154, cell(img, 0, 0, 32, 32), "zero: the bottom of viridis");
        assertViridisMiddle(cell(img, 7, 0, 32, 32));
        assertTrue(r.out().contains("map of output 3 over the input [1, 8, 8], sequential scale"), r.out());
    }

    @Test
    void rgbInputsGiveTheMaximumOverChannels() throws IOException {
        INDArray j = Nd4j.zeros(DataType.DOUBLE, 1, 2, 3, 4, 4);
        j.putScalar(new long[] {0, 1, 0, 1, 1}, 0.2);
        j.putScalar(new long[] {0, 1, 2, 1, 1}, -0.8);   // |-0.8| wins at pixel (1, 1)
        j.putScalar(new long[] {0, 1, 1, 3, 3}, 0.4);
        Path png = dir.resolve("s.png");
        Cli.Result r = Cli.ok("heatmap", "--jacobian", Cli.npy(dir, "J.npy", j).toString(), "--output-index", "1", "--out",
                png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(10 + 4 * 32 + 168, img.getWidth());
        assertEquals(0xfde725, cell(img, 1, 1, 32, 32));
        assertViridisMiddle(cell(img, 3, 3, 32, 32));
        assertTrue(r.out().contains("saliency (max |d| over 3 channels) of output 1"), r.out());
    }

    @Test
    void flatInputsCanBeViewedAsImages() throws IOException {
        INDArray j = Nd4j.zeros(DataType.DOUBLE, 3, 2, 16);
        j.putScalar(new long[] {2, 1, 6}, -1.0);          // row 1, column 2 of a 4 x 4 image
        j.putScalar(new long[] {2, 1, 0}, 1.0);
        Path png = dir.resolve("img.png");
        Cli.ok("heatmap", "--jacobian", Cli.npy(dir, "J.npy", j).toString(), "--sample", "2", "--output-index", "1",
                "--image-shape", "4,4", "--out", png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(10 + 128 + 168, img.getWidth());
        assertEquals(0x053061, cell(img, 1, 2, 32, 32));
        assertEquals(0x67001f, cell(img, 0, 0, 32, 32));
    }

    @Test
    void perSampleVectorsWithOutRankZero() throws IOException {
        INDArray g = Nd4j.create(new double[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, DataType.DOUBLE);
        Path png = dir.resolve("g.png");
        Cli.ok("heatmap", "--jacobian", Cli.npy(dir, "G.npy", g).toString(), "--sample", "1", "--out-rank", "0", "--out",
                png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        // 1 x 3 cells, widened to ceil(128 / 3) = 43 px and heightened to 128 px (the minimum map side)
        assertEquals(10 + 129 + 168, img.getWidth());
        assertEquals(148, img.getHeight());
        assertEquals(0xfde725, cell(img, 0, 2, 43, 128));
    }

    @Test
    void largeMatricesAreReducedByBlocksKeepingTheLargestMagnitude() throws IOException {
        INDArray j = Nd4j.zeros(DataType.FLOAT, 1, 3, 3000);
        j.putScalar(new long[] {0, 1, 2999}, -4f);
        Path png = dir.resolve("big.png");
        Cli.ok("heatmap", "--jacobian", Cli.npy(dir, "J.npy", j).toString(), "--out", png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        // 3000 columns in blocks of 3 -> 1000 cells of 1 px; 3 rows of ceil(128 / 3) = 43 px
        assertEquals(10 + 1000 + 168, img.getWidth());
        assertEquals(149, img.getHeight());
        assertEquals(0x053061, rgb(img, 10 + 999, 10 + 43 + 20));
        assertEquals(0xf7f7f7, rgb(img, 10 + 500, 10 + 43 + 20));
    }

    @Test
    void anExistingPictureIsReplacedOnlyOnSuccess() throws IOException {
        Path j = Cli.npy(dir, "J.npy", Nd4j.ones(DataType.DOUBLE, 1, 2, 2));
        Path png = dir.resolve("m.png");
        Cli.ok("heatmap", "--jacobian", j.toString(), "--out", png.toString(), "-q");
        byte[] before = java.nio.file.Files.readAllBytes(png);
        Cli.Result bad = Cli.run("heatmap", "--jacobian", j.toString(), "--sample", "3", "--out", png.toString());
        assertEquals(2, bad.code());
        assertTrue(java.util.Arrays.equals(before, java.nio.file.Files.readAllBytes(png)));
    }
}
