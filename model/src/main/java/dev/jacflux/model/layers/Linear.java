package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * A dense layer, PyTorch's {@code nn.Linear}: {@code y = x W^T + b} with {@code weight [out, in]}
 * and {@code bias [out]}, applied to the last axis of each sample ({@code [*, in] -> [*, out]}),
 * through the engine's {@link dev.jacflux.autodiff.ops.Linear} op.
 *
 * <pre>{@code
 * Linear fc = Linear.of("fc", 784, 256);           // with bias
 * Linear nb = new Linear("proj", 64, 32, false);   // without bias
 * }</pre>
 *
 * @param name layer name (required)
 * @param inFeatures {@code in_features}
 * @param outFeatures {@code out_features}
 * @param bias whether there is a bias
 */
public record Linear(String name, long inFeatures, long outFeatures, boolean bias) implements Layer {
    public static final String TYPE = "linear";

    public Linear {
        Checks.requireName(TYPE, name);
        Checks.positive(TYPE, name, "in_features", inFeatures);
        Checks.positive(TYPE, name, "out_features", outFeatures);
    }

    /** A linear layer with a bias. */
    public static Linear of(String name, long inFeatures, long outFeatures) {
        return new Linear(name, inFeatures, outFeatures, true);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<TensorSpec> parameters() {
        TensorSpec w = new TensorSpec("weight", new long[] {outFeatures, inFeatures});
        return bias ? List.of(w, new TensorSpec("bias", new long[] {outFeatures})) : List.of(w);
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length < 1 || in[in.length - 1] != inFeatures) {
            throw new LayerException(TYPE, name, "in_features", "expected a per-sample input [*, " + inFeatures + "] (in_features "
                    + inFeatures + "), got " + Shapes.str(in));
        }
        long[] out = in.clone();
        out[out.length - 1] = outFeatures;
        return out;
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        return dev.jacflux.autodiff.ops.Linear.apply(x, params.get(0), bias ? params.get(1) : null);
    }
}
