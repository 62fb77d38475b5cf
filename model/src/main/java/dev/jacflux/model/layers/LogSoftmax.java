package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * PyTorch's {@code nn.LogSoftmax(dim=-1)}: normalizes along the last axis of each sample
 * (per-sample rank at least 1).
 *
 * <pre>{@code
 * Layer out = new LogSoftmax();
 * Tensor y = out.forward(logits, List.of());   // [n, classes]
 * }</pre>
 *
 * @param name optional layer name
 */
public record LogSoftmax(String name) implements Layer {
    public static final String TYPE = "log_softmax";

    public LogSoftmax {
        Checks.optionalName(TYPE, name);
    }

    /** An unnamed layer. */
    public LogSoftmax() {
        this(null);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length < 1) {
            throw new LayerException(TYPE, name, null, "needs a per-sample input with at least one axis (it acts on the last), got "
                    + Shapes.str(in));
        }
        return in.clone();
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        return x.logSoftmax(-1);
    }
}
