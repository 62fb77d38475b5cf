package dev.jacflux.service.support;

import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.examples.SyntheticClassification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/** Seeded training sets and models for the training tests, as a client would upload them. */
public final class TrainingSets {
    /** A seeded 4-class task on 20 features (5% label noise). */
    public static final SyntheticClassification TASK = new SyntheticClassification(20, 4, 0.05, 7L);

    private TrainingSets() {
    }

    /** {@code n} examples of {@link #TASK} drawn with {@code seed}: x float32 [n, 20], y int64 [n]. */
    public static Dataset data(int n, long seed) {
        Dataset d = TASK.sample(n, seed);
        return Dataset.of(d.x().castTo(DataType.FLOAT), d.y());
    }

    /** The {@code .npy} bytes of the dataset's x. */
    public static byte[] xNpy(Dataset d) {
        return Npz.toNpy(d.x());
    }

    /** The {@code .npy} bytes of the dataset's y. */
    public static byte[] yNpy(Dataset d) {
        return Npz.toNpy(d.y());
    }

    /** The 20-32-4 tanh MLP of the task. */
    public static Sequential mlp() {
        return Sequential.of(new long[] {20}, Linear.of("fc1", 20, 32), new Tanh(), Linear.of("fc2", 32, 4));
    }

    /** The MLP initialised with {@code seed}, written as model files under {@code parent}. */
    public static TestModels.Files2 mlpFiles(long seed, Path parent) {
        return TestModels.write(mlp(), seed, parent);
    }

    /** The model of uploaded files, as the service reads them. */
    public static Model load(TestModels.Files2 f) {
        return ModelFile.load(f.jsonPath(), DataType.FLOAT);
    }

    /** Writes bytes to a file. */
    public static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
