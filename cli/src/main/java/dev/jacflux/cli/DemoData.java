package dev.jacflux.cli;

import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.pipeline.Batch;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The demo's embedded default: a small MLP ({@code [64] -> 32 tanh -> [10]}, PyTorch's default
 * initialisation from a seed) and a seeded synthetic stream of 8x8 "images" flattened to 64
 * features: ten fixed random class prototypes plus Gaussian noise, with uniformly drawn labels.
 * Batch {@code i} depends only on the seed and {@code i}, so any batch can be regenerated (the demo
 * does so to check one result against the loop reference).
 *
 * <pre>{@code
 * DemoData data = new DemoData(42L, 64, DataType.FLOAT);
 * Model model = data.model();              // 2410 parameters
 * Batch b3 = data.batch(3);                // id "b03", input [64, 64], labels [64] int64
 * }</pre>
 */
public final class DemoData {
    /** Features per sample. */
    public static final int FEATURES = 64;
    /** Hidden units. */
    public static final int HIDDEN = 32;
    /** Classes. */
    public static final int CLASSES = 10;

    private final long seed;
    private final int batchSize;
    private final DataType dtype;
    private final double[][] prototypes = new double[CLASSES][FEATURES];

    /**
     * @param seed the seed of the model, the prototypes and every batch
     * @param batchSize samples per batch
     * @param dtype FLOAT or DOUBLE
     */
    public DemoData(long seed, int batchSize, DataType dtype) {
        this.seed = seed;
        this.batchSize = batchSize;
        this.dtype = dtype;
        Random rnd = new Random(seed);
        for (double[] p : prototypes) {
            for (int f = 0; f < FEATURES; f++) {
                p[f] = rnd.nextGaussian();
            }
        }
    }

    /** The built-in model's architecture. */
    public static Sequential architecture() {
        return Sequential.of(new long[] {FEATURES}, Linear.of("fc1", FEATURES, HIDDEN), new Tanh(), Linear.of("fc2", HIDDEN, CLASSES));
    }

    /** The built-in model, initialised from the seed. */
    public Model model() {
        return Model.initialize(architecture(), dtype, seed);
    }

    /** Batch {@code index}: id {@code b00, b01, ...}, input {@code [batchSize, 64]}, int64 labels {@code [batchSize]}. */
    public Batch batch(int index) {
        Random rnd = new Random(seed * 1_000_003L + index);
        double[] x = new double[batchSize * FEATURES];
        long[] y = new long[batchSize];
        for (int b = 0; b < batchSize; b++) {
            int c = rnd.nextInt(CLASSES);
            y[b] = c;
            for (int f = 0; f < FEATURES; f++) {
                x[b * FEATURES + f] = prototypes[c][f] + 0.5 * rnd.nextGaussian();
            }
        }
        INDArray input = Nd4j.create(x, new long[] {batchSize, FEATURES}, DataType.DOUBLE).castTo(dtype);
        return new Batch(String.format("b%02d", index), input, Nd4j.createFromArray(y), Map.of("index", Integer.toString(index)));
    }
}
