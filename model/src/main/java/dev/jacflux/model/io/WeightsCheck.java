package dev.jacflux.model.io;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.TensorSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The check of a weights archive's entries against an architecture, from their {@code .npy}
 * headers alone, before any entry's data are inflated: a tensor of the wrong shape is refused
 * (with the message {@code Model.fromStateDict} gives), and entries no layer uses are skipped
 * unread and reported once the rest is known.
 *
 * <pre>{@code
 * WeightsCheck check = new WeightsCheck(arch, "weights.npz");
 * Map<String, INDArray> sd = Npz.read(path, check);
 * Model m = Model.fromStateDict(arch, sd, dtype, "weights.npz");   // missing tensors reported first
 * check.requireNoneSkipped(json);                                     // then unused ones
 * }</pre>
 */
final class WeightsCheck implements Npz.EntryCheck {
    private final Sequential architecture;
    private final String source;
    private final Map<String, Expected> expected = new HashMap<>();
    private final TreeSet<String> skipped = new TreeSet<>();

    /** A tensor the architecture needs: its shape and where it belongs, for messages. */
    private record Expected(long[] shape, String where) {
    }

    /** A tensor of the wrong shape (thrown from {@link #accept}, through {@link Npz#read}). */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    WeightsCheck(Sequential architecture, String source) {
        this.architecture = architecture;
        this.source = source;
        for (int i = 0; i < architecture.size(); i++) {
            String layerName = architecture.layer(i).name();
            for (TensorSpec spec : architecture.layer(i).parameters()) {
                expected.put(spec.qualified(layerName), new Expected(spec.shape(), architecture.describe(i) + ", field '" + spec.key() + "'"));
            }
            for (TensorSpec spec : architecture.layer(i).buffers()) {
                expected.put(spec.qualified(layerName), new Expected(spec.shape(), architecture.describe(i) + ", field '" + spec.key() + "'"));
            }
        }
    }

    @Override
    public boolean accept(String key, NpyHeader header) {
        Expected e = expected.get(key);
        if (e == null) {
            if (!key.endsWith(".num_batches_tracked")) {
                skipped.add(key);
            }
            return false;
        }
        if (!Arrays.equals(e.shape(), header.shape())) {
            throw new Refused(e.where() + ": tensor '" + key + "' in " + source + " has shape " + Shapes.str(header.shape()) + ", expected "
                    + Shapes.str(e.shape()));
        }
        return true;
    }

    /** Refuses the archive if it held tensors that no layer uses (they were skipped unread). */
    void requireNoneSkipped(Path json) {
        if (!skipped.isEmpty()) {
            throw new ModelException(json + ": unexpected tensor(s) " + skipped + " in " + source + " that no layer uses; the model's tensors are "
                    + architecture.parameterLayout().names() + (architecture.bufferNames().isEmpty() ? "" : " and buffers "
                    + architecture.bufferNames()));
        }
    }
}
