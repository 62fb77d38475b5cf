package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Elementwise softplus, PyTorch's {@code nn.Softplus}: {@code log(1 + exp(beta x)) / beta}
 * (default beta 1), computed stably. PyTorch switches to the identity where
 * {@code beta x > threshold} (20); the two differ there by less than {@code 3e-9 / beta}, so the
 * threshold is not modelled. Any per-sample shape.
 *
 * <pre>{@code
 * Layer act = new Softplus();            // beta 1
 * Layer sharp = new Softplus(null, 4.0);
 * }</pre>
 *
 * @param name optional layer name
 * @param beta {@code beta} (positive)
 */
public record Softplus(String name, double beta) implements Layer {
    public static final String TYPE = "softplus";

    public Softplus {
        Checks.optionalName(TYPE, name);
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new LayerException(TYPE, name, "beta", "must be a finite number > 0, got " + beta);
        }
    }

    /** An unnamed layer with beta 1. */
    public Softplus() {
        this(null, 1.0);
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
        return beta == 1.0 ? x.softplus() : x.mul(beta).softplus().div(beta);
    }
}
