package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * Elementwise {@code y = max(x, 0)}, PyTorch's {@code nn.ReLU}. Any per-sample shape.
 *
 * <pre>{@code
 * Layer act = new Relu();
 * Tensor y = act.forward(x, List.of());
 * }</pre>
 *
 * @param name optional layer name ({@code null} for none)
 */
public record Relu(String name) implements Layer {
    public static final String TYPE = "relu";

    public Relu {
        Checks.optionalName(TYPE, name);
    }

    /** An unnamed layer. */
    public Relu() {
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
        return x.relu();
    }
}
