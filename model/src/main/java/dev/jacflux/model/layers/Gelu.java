package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Elementwise GELU, PyTorch's {@code nn.GELU}: the exact form {@code x * Phi(x)}
 * ({@code approximate = "none"}, the default) or the tanh approximation
 * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} ({@code approximate = "tanh"}). Any
 * per-sample shape.
 *
 * <pre>{@code
 * Layer exact = new Gelu();
 * Layer approx = new Gelu(null, "tanh");
 * }</pre>
 *
 * @param name optional layer name
 * @param approximate {@code "none"} or {@code "tanh"}
 */
public record Gelu(String name, String approximate) implements Layer {
    public static final String TYPE = "gelu";

    public Gelu {
        Checks.optionalName(TYPE, name);
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new LayerException(TYPE, name, "approximate", "must be \"none\" or \"tanh\", got " + approximate);
        }
    }

    /** An unnamed exact GELU. */
    public Gelu() {
        this(null, "none");
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
        if ("none".equals(approximate)) {
            return x.gelu();
        }
        Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
        return x.mul(0.5).mul(inner.tanh().add(1.0));
    }
}
