package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Elementwise ELU, PyTorch's {@code nn.ELU}: {@code x} for {@code x > 0}, else
 * {@code alpha * (exp(x) - 1)} (default alpha 1.0). Any per-sample shape.
 *
 * <pre>{@code
 * Layer act = new Elu(null, 0.5);
 * Layer dflt = new Elu();   // alpha 1.0
 * }</pre>
 *
 * @param name optional layer name
 * @param alpha {@code alpha}
 */
public record Elu(String name, double alpha) implements Layer {
    public static final String TYPE = "elu";
    /** PyTorch's default alpha. */
    public static final double DEFAULT_ALPHA = 1.0;

    public Elu {
        Checks.optionalName(TYPE, name);
        Checks.finite(TYPE, name, "alpha", alpha);
    }

    /** An unnamed layer with alpha 1.0. */
    public Elu() {
        this(null, DEFAULT_ALPHA);
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
        return x.elu(alpha);
    }
}
