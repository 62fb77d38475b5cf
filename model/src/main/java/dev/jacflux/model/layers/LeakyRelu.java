package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Elementwise leaky ReLU, PyTorch's {@code nn.LeakyReLU}: {@code x} for {@code x > 0}, else
 * {@code negative_slope * x} (default 0.01). Any per-sample shape.
 *
 * <pre>{@code
 * Layer act = new LeakyRelu(null, 0.2);
 * Layer dflt = new LeakyRelu();          // negative_slope 0.01
 * }</pre>
 *
 * @param name optional layer name
 * @param negativeSlope {@code negative_slope}
 */
public record LeakyRelu(String name, double negativeSlope) implements Layer {
    public static final String TYPE = "leaky_relu";
    /** PyTorch's default slope. */
    public static final double DEFAULT_SLOPE = 0.01;

    public LeakyRelu {
        Checks.optionalName(TYPE, name);
        Checks.finite(TYPE, name, "negative_slope", negativeSlope);
    }

    /** An unnamed layer with slope 0.01. */
    public LeakyRelu() {
        this(null, DEFAULT_SLOPE);
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
        return x.leakyRelu(negativeSlope);
    }
}
