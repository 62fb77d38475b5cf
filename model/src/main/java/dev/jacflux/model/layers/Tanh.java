package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Elementwise {@code y = tanh(x)}, PyTorch's {@code nn.Tanh}. Any per-sample shape.
 *
 * <pre>{@code
 * Layer act = new Tanh();
 * Tensor y = act.forward(x, List.of());
 * }</pre>
 *
 * @param name optional layer name ({@code null} for none)
 */
public record Tanh(String name) implements Layer {
    public static final String TYPE = "tanh";

    public Tanh {
        Checks.optionalName(TYPE, name);
    }

    /** An unnamed layer. */
    public Tanh() {
        this(null);
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
        return x.tanh();
    }
}
