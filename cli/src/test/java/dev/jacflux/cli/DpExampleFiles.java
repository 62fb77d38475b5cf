package dev.jacflux.cli;

import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.examples.SyntheticClassification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Generates {@code examples/dp-mlp/}, the private-training example of the README: an untrained
 * 20-32-4 tanh MLP ({@code model.json} + {@code weights.npz}, 804 parameters) and {@code data.npz}
 * with 1000 examples of a seeded 4-class task ({@link SyntheticClassification}: x float32
 * {@code [1000, 20]}, y int64 {@code [1000]}, 5% label noise).
 *
 * <pre>{@code
 * DpExampleFiles.main(new String[] {"examples/dp-mlp"});   // from an IDE, or the test classpath
 * }</pre>
 */
final class DpExampleFiles {
    static final SyntheticClassification TASK = new SyntheticClassification(20, 4, 0.05, 7L);

    private DpExampleFiles() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/dp-mlp");
        write(dir);
        System.out.println("wrote " + dir.toAbsolutePath());
    }

    /** The untrained model. */
    static Model model() {
        return Model.initialize(Sequential.of(new long[] {20}, Linear.of("fc1", 20, 32), new Tanh(), Linear.of("fc2", 32, 4)), DataType.FLOAT, 3L);
    }

    /** The training data. */
    static Dataset data() {
        return TASK.sample(1000, 1L);
    }

    /** Writes model.json, weights.npz and data.npz into {@code dir}. */
    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ModelFile.save(model(), dir.resolve("model.json"), "weights.npz");
        Dataset d = data();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        arrays.put("x", d.x().castTo(DataType.FLOAT));
        arrays.put("y", d.y());
        Files.write(dir.resolve("data.npz"), Npz.toNpz(arrays));
    }
}
