package dev.jacflux.training.checkpoint;

import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.training.TrainingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a trained model as {@code <dir>/model.json} + {@code <dir>/weights.npz} (PyTorch
 * {@code state_dict} keys: {@code ModelFile.load} reads it back, and
 * {@code model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load("weights.npz").items()})}
 * loads it into the same PyTorch module). Both files are written to a temporary directory, forced to
 * disk and renamed into place one after the other, each atomically: a crash leaves each file either
 * complete and new or as it was.
 *
 * <pre>{@code
 * ModelExport.write(trainer.model(), Path.of("out"));   // out/model.json, out/weights.npz
 * }</pre>
 */
public final class ModelExport {
    private static final SecureRandom NAMES = new SecureRandom();

    private ModelExport() {
    }

    /** Writes {@code dir/model.json} and {@code dir/weights.npz}. */
    public static void write(Model model, Path dir) {
        Path tmp = dir.resolve(".export-" + Long.toUnsignedString(NAMES.nextLong(), 36) + ".tmp");
        try {
            Files.createDirectories(tmp);
            ModelFile.save(model, tmp.resolve("model.json"), "weights.npz");
            for (String f : new String[] {"weights.npz", "model.json"}) {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp.resolve(f), java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                AtomicFiles.move(tmp.resolve(f), dir.resolve(f));
            }
            AtomicFiles.forceDirectory(dir);
        } catch (IOException | ModelException e) {
            throw new TrainingException(dir + ": cannot write the model: " + e.getMessage(), e);
        } finally {
            try (Stream<Path> s = Files.exists(tmp) ? Files.walk(tmp) : Stream.empty()) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
