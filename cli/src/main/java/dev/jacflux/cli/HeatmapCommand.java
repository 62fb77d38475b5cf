package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jacflux heatmap}: a PNG picture of one sample's Jacobian from a {@code .npy} file written
 * by {@code jacflux jacobian} (or any array {@code [B, *out, *in]}), or, with
 * {@code --output-index K}, the map of output {@code K}'s derivatives over the input: for
 * image-shaped inputs ({@code [H, W]}, {@code [C, H, W]}, or any input with
 * {@code --image-shape}) a saliency map. See {@link Heatmap} for the colour scale and layout.
 *
 * <pre>{@code
 * bin/jacflux heatmap --jacobian J.npy --sample 0 --out jacobian.png
 * bin/jacflux heatmap --jacobian J.npy --sample 0 --output-index 3 --image-shape 28,28 --out saliency.png
 * }</pre>
 */
@Command(name = "heatmap", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        header = "PNG heatmap of one sample's Jacobian, or a saliency map of one output.",
        description = {
            "A PNG picture of one sample's Jacobian from a .npy file [B, *out, *in] (as 'jacflux jacobian' writes it)"
                + " with a colour scale: rows are the outputs, columns the inputs (both flattened).",
            "--output-index K: the derivatives of output K over the input; for image-shaped inputs ([H, W], [C, H, W],"
                + " or --image-shape) a saliency map: signed for one channel, max |d| over the channels for several.",
            "Signed values use a diverging blue-white-red scale symmetric around 0, non-negative ones viridis from 0.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux heatmap --jacobian J.npy --sample 0 --out jacobian.png",
            "  bin/jacflux heatmap --jacobian J.npy --sample 0 --output-index 3 \\",
            "      --out saliency.png",
            "  bin/jacflux heatmap --jacobian J784.npy --output-index 3 \\",
            "      --image-shape 28,28 --out saliency.png     # flat inputs [B, 10, 784]",
            "  bin/jacflux heatmap --jacobian H.npy --sample 1 --out hessian.png  # [B,D,D]",
            "  bin/jacflux heatmap --jacobian G.npy --out-rank 0 --out grads.png  # [B, M]",
            "",
            "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming",
            "the file and the problem), 1 internal error."})
public final class HeatmapCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--jacobian", required = true, paramLabel = "J.npy", description = "Jacobian .npy [B, *out, *in] (float32 or float64).")
    Path jacobian;

    @Option(names = "--sample", paramLabel = "I", defaultValue = "0", description = "Sample index (default: ${DEFAULT-VALUE}).")
    long sample;

    @Option(names = "--out", required = true, paramLabel = "map.png", description = "PNG file to write (atomically).")
    Path out;

    @Option(names = "--output-index", paramLabel = "K", description = "Show only output K (flattened index over *out) over the input.")
    Long outputIndex;

    @Option(names = "--out-rank", paramLabel = "R", defaultValue = "1",
            description = "Number of output axes after the batch axis (default: ${DEFAULT-VALUE}; 0 for per-sample vectors [B, *in]).")
    int outRank;

    @Option(names = "--image-shape", paramLabel = "H,W", split = ",", hideParamSyntax = true,
            description = "View the per-sample input as an image of this shape (e.g. 28,28 or 1,28,28).")
    long[] imageShape;

    @Option(names = "--colormap", paramLabel = "auto|diverging|sequential", defaultValue = "auto",
            description = "Colour scale (default: ${DEFAULT-VALUE}: diverging when any value is negative).")
    String colormap;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        ColorMap forced = switch (colormap.toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "diverging" -> ColorMap.DIVERGING;
            case "sequential" -> ColorMap.SEQUENTIAL;
            default -> throw new ParameterException(spec.commandLine(), "Invalid value for option '--colormap': expected auto, diverging"
                    + " or sequential, got '" + colormap + "'");
        };
        if (outRank < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--out-rank': expected a whole number >= 0, got "
                    + outRank);
        }
        if (outputIndex != null && outRank == 0) {
            throw new ParameterException(spec.commandLine(), "--output-index needs output axes (--out-rank >= 1)");
        }
        if (imageShape != null && outputIndex == null && outRank > 0) {
            throw new ParameterException(spec.commandLine(), "--image-shape applies to one output's map: give --output-index K"
                    + " (or --out-rank 0 for per-sample vectors)");
        }
        Reporter reporter = output.reporter(spec.commandLine());
        AtomicOutput.checkWritable(out, "--out");
        INDArray j = NpyFiles.readFloat(jacobian, "--jacobian");
        long[] shape = j.shape();
        String where = jacobian + " (--jacobian): ";
        if (shape.length < outRank + 2) {
            throw new BadInputException(where + "shape " + Shapes.str(shape) + " has no input axes after the batch axis and " + outRank
                    + " output axis(es); expected [B, *out, *in]" + (shape.length == 2 && outRank > 0 ? " (use --out-rank 0 for [B, *in])" : ""));
        }
        if (sample < 0 || sample >= shape[0]) {
            throw new BadInputException(where + "sample " + sample + " is out of range: the file holds " + shape[0]
                    + " samples (shape " + Shapes.str(shape) + "), so --sample must lie in [0, " + shape[0] + ")");
        }
        long[] outShape = Shapes.range(shape, 1, 1 + outRank);
        long[] inShape = Shapes.range(shape, 1 + outRank, shape.length);
        long nOut = Shapes.numel(outShape);
        long nIn = Shapes.numel(inShape);
        if (nOut * nIn > Integer.MAX_VALUE / 2 && outputIndex == null) {
            throw new BadInputException(where + "one sample's Jacobian has " + nOut * nIn + " entries, too many to draw; use"
                    + " --output-index K to draw one output's map");
        }
        INDArray s = j.get(NDArrayIndex.point(sample)).dup('c').castTo(DataType.DOUBLE).reshape('c', Math.max(1, nOut), nIn);
        if (imageShape != null) {
            for (long d : imageShape) {
                if (d < 1) {
                    throw new ParameterException(spec.commandLine(), "Invalid value for option '--image-shape': sizes must be >= 1, got "
                            + Shapes.str(imageShape));
                }
            }
            if (Shapes.numel(imageShape) != nIn || imageShape.length < 2 || imageShape.length > 3) {
                throw new BadInputException(where + "--image-shape " + Shapes.str(imageShape) + " does not fit the per-sample input "
                        + Shapes.str(inShape) + " (" + nIn + " elements); expected H,W or C,H,W with C*H*W = " + nIn);
            }
            inShape = imageShape.clone();
        }
        double[] values;
        int rows;
        int cols;
        String view;
        boolean single = outputIndex != null || outRank == 0;
        if (single) {
            long k = outputIndex == null ? 0 : outputIndex;
            if (k < 0 || k >= nOut) {
                throw new BadInputException(where + "output index " + k + " is out of range: each sample has " + nOut + " outputs (shape "
                        + Shapes.str(outShape) + "), so --output-index must lie in [0, " + nOut + ")");
            }
            double[] row = s.getRow(k).toDoubleVector();
            if (inShape.length == 2 || (inShape.length == 3 && inShape[0] == 1)) {
                rows = (int) inShape[inShape.length - 2];
                cols = (int) inShape[inShape.length - 1];
                values = row;
                view = "map of " + (outRank == 0 ? "the values" : "output " + k) + " over the input " + Shapes.str(inShape);
            } else if (inShape.length == 3) {
                rows = (int) inShape[1];
                cols = (int) inShape[2];
                values = saliency(row, (int) inShape[0], rows * cols);
                view = "saliency (max |d| over " + inShape[0] + " channels) of " + (outRank == 0 ? "the values" : "output " + k)
                        + " over the input " + Shapes.str(inShape);
            } else {
                rows = inShape.length <= 1 ? 1 : (int) (nIn / inShape[inShape.length - 1]);
                cols = (int) (nIn / rows);
                values = row;
                view = (outRank == 0 ? "the values" : "output " + k) + " over the input " + Shapes.str(inShape) + " as " + rows + " x " + cols;
            }
        } else {
            rows = (int) nOut;
            cols = (int) nIn;
            values = s.reshape('c', new long[] {nOut * nIn}).toDoubleVector();
            view = "jacobian " + Shapes.str(outShape) + " x " + Shapes.str(inShape) + " as " + rows + " x " + cols;
        }
        BufferedImage img = Heatmap.render(values, rows, cols, forced);
        ColorMap used = forced == null ? Heatmap.autoScale(values) : forced;
        AtomicOutput.write(out, ch -> {
            OutputStream os = Channels.newOutputStream(ch);
            if (!ImageIO.write(img, "png", os)) {
                throw new IllegalStateException("no PNG writer in this Java runtime");
            }
            os.flush();
        });
        reporter.info(String.format(Locale.ROOT, "%s: %d x %d PNG, sample %d, %s, %s scale", out, img.getWidth(), img.getHeight(), sample,
                view, used == ColorMap.DIVERGING ? "diverging" : "sequential"));
        return JacFluxCli.OK;
    }

    /** {@code max_c |v[c, p]|} for {@code v} of {@code channels x pixels}. */
    static double[] saliency(double[] v, int channels, int pixels) {
        double[] out = new double[pixels];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                out[p] = Math.max(out[p], Math.abs(v[c * pixels + p]));
            }
        }
        return out;
    }
}
