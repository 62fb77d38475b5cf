package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small seeded models and inputs for the worker tests. */
final class TestModels {
    private TestModels() {
    }

    /** {@code in -> hidden (tanh) -> out}, PyTorch-style initialisation from {@code seed}. */
    static Model mlp(long in, long hidden, long out, long seed) {
        Sequential arch = new Sequential(new long[] {in}, List.of(Linear.of("fc1", in, hidden), new Tanh(), Linear.of("fc2", hidden, out)));
        return Model.initialize(arch, DataType.DOUBLE, seed);
    }

    /** Saves {@code model} as a model file (named m.json / m.npz, so the directory rewrites the weights name) and adds it. */
    static String add(ModelDirectory dir, Model model) {
        try {
            Path tmp = Files.createTempDirectory("jacflux-model-");
            ModelFile.save(model, tmp.resolve("m.json"));
            return dir.add(tmp.resolve("m.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uniform inputs in [-1, 1) of shape {@code [n, *in]} from {@code seed}. */
    static INDArray input(DataType dtype, long seed, long... shape) {
        Random r = new Random(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dtype);
    }

    /** Class indices in [0, classes) as int64 {@code [n]} from {@code seed}. */
    static INDArray labels(int n, int classes, long seed) {
        Random r = new Random(seed);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(classes);
        }
        return Nd4j.createFromArray(v);
    }
}
