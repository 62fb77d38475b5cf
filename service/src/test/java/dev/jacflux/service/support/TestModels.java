package dev.jacflux.service.support;

import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.MaxPool2d;
import dev.jacflux.model.layers.Relu;
import dev.jacflux.model.layers.Tanh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/** Seeded models written as {@code jacflux-model/1} files, as a client would upload them. */
public final class TestModels {
    private TestModels() {
    }

    /**
     * A model's two files.
     *
     * @param json    the model.json bytes (naming weights.npz)
     * @param weights the weights.npz bytes
     * @param dir     where they were written
     */
    public record Files2(byte[] json, byte[] weights, Path dir) {
        /** The model.json path. */
        public Path jsonPath() {
            return dir.resolve("model.json");
        }
    }

    /** MLP {@code [1, 6, 6] -> flatten -> 36 -> 8 tanh -> 5}. */
    public static Sequential mlp() {
        return Sequential.of(new long[] {1, 6, 6}, new Flatten(), Linear.of("fc1", 36, 8), new Tanh(), Linear.of("fc2", 8, 5));
    }

    /** A small CNN {@code [2, 6, 6] -> conv 3x3 (3 channels) -> relu -> maxpool 2 -> fc 4}. */
    public static Sequential cnn() {
        return Sequential.of(new long[] {2, 6, 6}, Conv2d.of("conv", 2, 3, 3), new Relu(), MaxPool2d.of(2), new Flatten(),
                Linear.of("fc", 12, 4));
    }

    /** {@code [16] -> 512 tanh}: a result 32 times the input per sample (for streaming tests). */
    public static Sequential wide() {
        return Sequential.of(new long[] {16}, Linear.of("fc", 16, 512), new Tanh());
    }

    /** A batch norm in training form: samples are coupled, so only the full Jacobian is allowed. */
    public static Sequential coupled() {
        return Sequential.of(new long[] {2, 3, 3}, BatchNorm2d.of("bn", 2).training(true), new Flatten(), Linear.of("fc", 18, 3));
    }

    /** The files of {@code architecture} initialised with {@code seed}, written under {@code parent}. */
    public static Files2 write(Sequential architecture, long seed, Path parent) {
        try {
            Path dir = Files.createDirectories(parent.resolve("m" + seed + "-" + System.nanoTime()));
            Model m = Model.initialize(architecture, DataType.FLOAT, seed);
            ModelFile.save(m, dir.resolve("model.json"), "weights.npz");
            return new Files2(Files.readAllBytes(dir.resolve("model.json")), Files.readAllBytes(dir.resolve("weights.npz")), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
