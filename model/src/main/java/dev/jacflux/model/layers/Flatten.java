package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * PyTorch's {@code nn.Flatten(start_dim=1, end_dim=-1)}: merges axes {@code start_dim} to
 * {@code end_dim} of the batch (axis 0 is the batch axis, which is always kept, so
 * {@code start_dim >= 1}; negative values count from the end).
 *
 * <pre>{@code
 * Layer f = new Flatten();            // [n, 4, 4, 4] -> [n, 64]
 * Layer g = new Flatten(null, 2, -1); // [n, 4, 4, 4] -> [n, 4, 16]
 * }</pre>
 *
 * @param name optional layer name
 * @param startDim {@code start_dim} (counting the batch axis)
 * @param endDim {@code end_dim} (counting the batch axis)
 */
public record Flatten(String name, int startDim, int endDim) implements Layer {
    public static final String TYPE = "flatten";

    public Flatten {
        Checks.optionalName(TYPE, name);
        if (startDim == 0) {
            throw new LayerException(TYPE, name, "start_dim", "must not be 0: flatten keeps the batch axis (PyTorch's default is 1)");
        }
    }

    /** {@code start_dim = 1, end_dim = -1}: one vector per sample. */
    public Flatten() {
        this(null, 1, -1);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long[] outputShape(long[] in) {
        int[] se = range(in);
        int s = se[0];
        int e = se[1];
        long[] out = new long[in.length - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) {
            out[k++] = in[i];
        }
        long merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= in[i];
        }
        out[k++] = merged;
        for (int i = e + 1; i < in.length; i++) {
            out[k++] = in[i];
        }
        return out;
    }

    /** The per-sample axes {@code [s, e]} merged (0-based, without the batch axis). */
    private int[] range(long[] in) {
        int full = in.length + 1;
        int s = startDim < 0 ? startDim + full : startDim;
        int e = endDim < 0 ? endDim + full : endDim;
        if (s < 1 || s >= full) {
            throw new LayerException(TYPE, name, "start_dim", "start_dim " + startDim + " is out of range for a batch of per-sample shape "
                    + Shapes.str(in) + " (rank " + full + " with the batch axis; axis 0 is the batch axis and is kept)");
        }
        if (e < 1 || e >= full) {
            throw new LayerException(TYPE, name, "end_dim", "end_dim " + endDim + " is out of range for a batch of per-sample shape "
                    + Shapes.str(in) + " (rank " + full + " with the batch axis)");
        }
        if (e < s) {
            throw new LayerException(TYPE, name, "end_dim", "end_dim " + endDim + " comes before start_dim " + startDim
                    + " for per-sample shape " + Shapes.str(in));
        }
        return new int[] {s - 1, e - 1};
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        long[] in = Shapes.range(x.shape(), 1, x.rank());
        return x.reshape(Shapes.concat(new long[] {x.size(0)}, outputShape(in)));
    }
}
