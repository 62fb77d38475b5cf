package dev.jacflux.cli;

import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.Sgd;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generates {@code examples/mnist-mlp/}: a small MNIST-style classifier of 14x14 digit images
 * ({@code [1, 14, 14] -> flatten -> 8 tanh -> [10]} logits, 1666 parameters, about 7 KB of weights)
 * trained for a few hundred seeded SGD steps on synthetic digits (the 5x7 pixel-font glyphs drawn
 * at twice their size, shifted and with noise), plus four example inputs and their labels.
 *
 * <pre>{@code
 * mvn -q -pl cli test-compile exec:java ... or, from an IDE: ExampleFiles.main(new String[] {"examples/mnist-mlp"})
 * }</pre>
 */
final class ExampleFiles {
    static final long SEED = 2024;
    static final int SIDE = 14;
    static final long[] EXAMPLE_DIGITS = {3, 0, 7, 5};

    private ExampleFiles() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/mnist-mlp");
        write(dir);
        System.out.println("wrote " + dir.toAbsolutePath());
    }

    /** The architecture. */
    static Sequential architecture() {
        return Sequential.of(new long[] {1, SIDE, SIDE}, new Flatten(), Linear.of("fc1", SIDE * SIDE, 8), new Tanh(),
                Linear.of("fc2", 8, 10));
    }

    /** Writes model.json, weights.npz, input.npy and labels.npy into {@code dir}. */
    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ModelFile.save(trained(), dir.resolve("model.json"), "weights.npz");
        Random rnd = new Random(SEED + 1);
        Files.write(dir.resolve("input.npy"), Npz.toNpy(digits(EXAMPLE_DIGITS, rnd)));
        Files.write(dir.resolve("labels.npy"), Npz.toNpy(Nd4j.createFromArray(EXAMPLE_DIGITS)));
    }

    /** The seeded model after 400 SGD steps on batches of 64 synthetic digits (float32). */
    static Model trained() {
        Model m = Model.initialize(architecture(), DataType.FLOAT, SEED);
        Sgd sgd = new Sgd(0.5, Loss.crossEntropy());
        Random rnd = new Random(SEED);
        for (int step = 0; step < 400; step++) {
            long[] labels = new long[64];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rnd.nextInt(10);
            }
            m = sgd.step(m, digits(labels, rnd), Nd4j.createFromArray(labels)).model();
        }
        return m;
    }

    /** Images {@code [n, 1, 14, 14]} in [0, 1] of the given digits: a glyph at 2x, shifted by up to one pixel, plus noise. */
    static INDArray digits(long[] labels, Random rnd) {
        float[] data = new float[labels.length * SIDE * SIDE];
        for (int i = 0; i < labels.length; i++) {
            BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
            int dx = rnd.nextInt(3) - 1;
            PixelFont.draw(img, Long.toString(labels[i]), 2 + dx, 0, 2, 0xffffff);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    double ink = (img.getRGB(x, y) & 0xff) / 255.0;
                    data[i * SIDE * SIDE + y * SIDE + x] = (float) Math.min(1, Math.max(0, ink + 0.1 * rnd.nextGaussian()));
                }
            }
        }
        return Nd4j.create(data, new long[] {labels.length, 1, SIDE, SIDE}, 'c');
    }
}
