package dev.jacflux.service.datasets;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.config.NonFinitePolicy;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.NpyHeader;
import dev.jacflux.model.io.Npz;
import dev.jacflux.pipeline.InputChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training sets of the service, kept as files in the data directory so that they survive a
 * restart (a training resumed after a crash reads its dataset again):
 * <pre>
 * &lt;data-dir&gt;/datasets/&lt;id&gt;/x.npy   inputs [N, *input_shape], float32 or float64
 * &lt;data-dir&gt;/datasets/&lt;id&gt;/y.npy   targets [N] (integer classes) or [N, ...] (float values)
 * </pre>
 * {@code <id>} is {@link DatasetId#of} the two files. An upload is written to a temporary
 * directory, checked (headers, dtypes, one row of {@code y} per row of {@code x}, no NaN or
 * infinity), then renamed into place, so a directory {@code datasets/<id>} is always complete. Every
 * method is blocking (call it off the event loop) and thread-safe.
 *
 * <pre>{@code
 * DatasetStore store = new DatasetStore(Path.of("/var/lib/jacflux"));
 * Path in = store.incoming();                 // write x.npy and y.npy into it, then:
 * StoredDataset d = store.save(in).dataset();
 * DatasetStore.Arrays a = store.load(d.id());
 * }</pre>
 */
public final class DatasetStore {
    /** The inputs file. */
    public static final String X = "x.npy";
    /** The targets file. */
    public static final String Y = "y.npy";
    private static final String INCOMING = ".incoming-";

    private final Path root;
    private final Map<String, StoredDataset> described = new ConcurrentHashMap<>();

    /** A store in {@code dataDir/datasets} (created if missing; leftovers of interrupted uploads are removed). */
    public DatasetStore(Path dataDir) {
        this.root = dataDir.resolve("datasets");
        try {
            Files.createDirectories(root);
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(INCOMING)).toList()) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the dataset directory " + root + ": " + e.getMessage(), e);
        }
    }

    /** {@code <data-dir>/datasets}. */
    public Path directory() {
        return root;
    }

    /** A new empty directory for an upload's {@link #X} and {@link #Y}; {@link #save} or {@link #discard} it. */
    public Path incoming() {
        Path p = root.resolve(INCOMING + UUID.randomUUID());
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + p + ": " + e.getMessage(), e);
        }
    }

    /** Deletes an upload directory that will not be saved. */
    public void discard(Path incoming) {
        deleteTree(incoming);
    }

    /**
     * The result of {@link #save}.
     *
     * @param dataset the stored dataset
     * @param created false if the same arrays were stored already
     */
    public record Saved(StoredDataset dataset, boolean created) {
    }

    /**
     * Checks the {@code x.npy} and {@code y.npy} of an {@link #incoming()} directory and stores them
     * under their id; the incoming directory is gone afterwards, whatever happens.
     *
     * @throws InvalidDatasetException naming the part ({@code x} or {@code y}) and the problem
     */
    public Saved save(Path incoming) {
        try {
            Path x = incoming.resolve(X);
            Path y = incoming.resolve(Y);
            check(x, y);
            String id = DatasetId.of(x, y);
            Optional<StoredDataset> existing = find(id);
            if (existing.isPresent()) {
                return new Saved(existing.get(), false);
            }
            Path target = root.resolve(id);
            boolean created;
            try {
                moveDirectory(incoming, target);
                created = true;
            } catch (IOException e) {
                if (!Files.isRegularFile(target.resolve(Y))) {
                    throw e;
                }
                created = false;   // stored meanwhile by a concurrent upload of the same bytes
            }
            return new Saved(find(id).orElseThrow(() -> new IllegalStateException("dataset " + id + " vanished after storing")), created);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the dataset in " + root + ": " + e.getMessage(), e);
        } finally {
            deleteTree(incoming);
        }
    }

    /** Headers, dtypes, lengths and values of an upload. */
    private static void check(Path x, Path y) {
        NpyHeader hx = header(x, "x");
        NpyHeader hy = header(y, "y");
        long[] sx = hx.shape();
        long[] sy = hy.shape();
        if (hx.dtype() != DataType.FLOAT && hx.dtype() != DataType.DOUBLE) {
            throw new InvalidDatasetException("part 'x': wrong dtype " + numpyName(hx) + "; expected float32 or float64 inputs [N, *input_shape]");
        }
        if (sx.length < 2) {
            throw new InvalidDatasetException("part 'x': shape " + Shapes.str(sx) + "; expected [N, *input_shape] (at least two axes)");
        }
        if (sx[0] < 1) {
            throw new InvalidDatasetException("part 'x': no examples, shape " + Shapes.str(sx) + "; expected at least one row");
        }
        if (sy.length < 1 || sy[0] != sx[0]) {
            throw new InvalidDatasetException("part 'y': shape " + Shapes.str(sy) + " does not have one row per example of part 'x' ("
                    + sx[0] + " rows, shape " + Shapes.str(sx) + "); expected [" + sx[0] + "] class indices or [" + sx[0] + ", ...] targets");
        }
        INDArray ax = data(x, "x");
        INDArray ay = data(y, "y");
        try {
            InputChecks.requireFinite(ax, "part 'x'", NonFinitePolicy.REJECT);
            InputChecks.requireFinite(ay, "part 'y'", NonFinitePolicy.REJECT);
        } catch (RuntimeException e) {
            throw new InvalidDatasetException(e.getMessage().replace(" (non-finite policy: reject)", "") + "; training data must be finite",
                    e);
        }
    }

    private static NpyHeader header(Path file, String part) {
        try {
            return Npz.readNpyHeader(file);
        } catch (ModelException e) {
            throw new InvalidDatasetException(partMessage(e.getMessage(), file, part), e);
        }
    }

    private static INDArray data(Path file, String part) {
        try {
            return Npz.readNpy(file);
        } catch (ModelException e) {
            throw new InvalidDatasetException(partMessage(e.getMessage(), file, part), e);
        }
    }

    /** A loader message with the temporary path replaced by the part it came from. */
    private static String partMessage(String message, Path file, String part) {
        String m = message.replace(file.toString() + ": ", "part '" + part + "': ").replace(file.toString(), "part '" + part + "'");
        return m.startsWith("part '") ? m : "part '" + part + "': " + m;
    }

    /** The NumPy name of a header's dtype ({@code float32}, {@code int64}, {@code uint8}, ...). */
    static String numpyName(NpyHeader h) {
        String d = h.descr();
        char kind = d.isEmpty() ? ' ' : d.charAt(d.length() - 2);
        int bytes = h.width();
        return switch (kind) {
            case 'f' -> "float" + 8 * bytes;
            case 'i' -> "int" + 8 * bytes;
            case 'u' -> "uint" + 8 * bytes;
            default -> d;
        };
    }

    /** The dataset with this id, if stored. */
    public Optional<StoredDataset> find(String id) {
        if (!DatasetId.isWellFormed(id)) {
            return Optional.empty();
        }
        Path dir = root.resolve(id);
        if (!Files.isRegularFile(dir.resolve(X)) || !Files.isRegularFile(dir.resolve(Y))) {
            described.remove(id);
            return Optional.empty();
        }
        StoredDataset cached = described.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        NpyHeader hx = Npz.readNpyHeader(dir.resolve(X));
        NpyHeader hy = Npz.readNpyHeader(dir.resolve(Y));
        StoredDataset d = new StoredDataset(id, dir.resolve(X), dir.resolve(Y), hx.shape()[0], hx.shape(), numpyName(hx), hy.shape(),
                numpyName(hy));
        described.put(id, d);
        return Optional.of(d);
    }

    /** Every stored dataset, by id. */
    public List<StoredDataset> list() {
        List<StoredDataset> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.map(Path::getFileName).sorted(Comparator.comparing(Path::toString)).toList()) {
                find(p.toString()).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Deletes a dataset; false if there was none with this id. */
    public boolean delete(String id) {
        Optional<StoredDataset> d = find(id);
        described.remove(id);
        if (d.isEmpty()) {
            return false;
        }
        Path trash = root.resolve(INCOMING + "deleted-" + UUID.randomUUID());
        try {
            moveDirectory(root.resolve(id), trash);
        } catch (IOException e) {
            if (!Files.exists(root.resolve(id))) {
                return false;
            }
            throw new UncheckedIOException("cannot delete dataset " + id + ": " + e.getMessage(), e);
        }
        deleteTree(trash);
        return true;
    }

    /**
     * The arrays of a dataset.
     *
     * @param x inputs {@code [N, *input_shape]}
     * @param y targets
     */
    public record Arrays(INDArray x, INDArray y) {
    }

    /**
     * Reads a stored dataset's arrays.
     *
     * @throws java.util.NoSuchElementException if there is no such dataset
     */
    public Arrays load(String id) {
        StoredDataset d = find(id).orElseThrow(() -> new java.util.NoSuchElementException("no dataset " + id));
        return new Arrays(Npz.readNpy(d.x()), Npz.readNpy(d.y()));
    }

    private static void moveDirectory(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover is removed at the next start
        }
    }

    /** The uploaded files do not form a dataset; the message names the part and the problem. */
    public static final class InvalidDatasetException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidDatasetException(String message) {
            super(message);
        }

        InvalidDatasetException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public String toString() {
        return "DatasetStore[" + root + "]";
    }
}
