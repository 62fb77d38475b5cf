package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Dropout, PyTorch's {@code nn.Dropout(p)}: the identity in inference form (the default), and in
 * training form inverted dropout with a mask drawn from {@code seed} (see
 * {@link dev.jacflux.autodiff.ops.Dropout}). The mask is a function of the seed and of the shape
 * of the batch it is applied to, so the same call gives the same mask; it does not couple samples.
 * In per-sample computations that split a batch into chunks, each chunk draws its own mask.
 *
 * <pre>{@code
 * Layer d = Dropout.of(0.1);                          // identity (inference form)
 * Layer t = new Dropout(null, 0.1, true, 42L);        // training form, seeded
 * }</pre>
 *
 * @param name optional layer name
 * @param p probability of zeroing an element, {@code 0 <= p <= 1}
 * @param training whether to drop (training form)
 * @param seed seed of the mask
 */
public record Dropout(String name, double p, boolean training, long seed) implements Layer {
    public static final String TYPE = "dropout";

    public Dropout {
        Checks.optionalName(TYPE, name);
        if (!(p >= 0 && p <= 1)) {
            throw new LayerException(TYPE, name, "p", "must be a probability between 0 and 1, got " + p);
        }
    }

    /** Inference-form dropout with probability {@code p} (PyTorch's default is 0.5). */
    public static Dropout of(double p) {
        return new Dropout(null, p, false, 0L);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long[] outputShape(long[] in) {
        return in.clone();
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        return dev.jacflux.autodiff.ops.Dropout.apply(x, p, training, seed);
    }

    @Override
    public Layer inferenceForm() {
        return training ? new Dropout(name, p, false, seed) : this;
    }
}
