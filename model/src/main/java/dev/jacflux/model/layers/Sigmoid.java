package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Elementwise {@code y = 1 / (1 + exp(-x))}, PyTorch's {@code nn.Sigmoid}. Any per-sample shape.
 *
 * <pre>{@code
 * Layer act = new Sigmoid();
 * Tensor y = act.forward(x, List.of());
 * }</pre>
 *
 * @param name optional layer name ({@code null} for none)
 */
public record Sigmoid(String name) implements Layer {
    public static final String TYPE = "sigmoid";

    public Sigmoid {
        Checks.optionalName(TYPE, name);
    }

    /** An unnamed layer. */
    public Sigmoid() {
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
        return x.sigmoid();
    }
}
