package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;

/**
 * One layer of a {@link dev.jacflux.model.Sequential} model: a configuration (an immutable
 * record), the shapes of its parameters and buffers, and a forward pass written with
 * differentiable {@link Tensor} ops, so every derivative the engine offers (per-sample gradients,
 * parameter Jacobians, Hessians) works through it.
 *
 * <p>Shapes here never include the batch axis: {@link #outputShape(long[])} maps the shape of one
 * sample, while {@link #forward} receives and returns batches {@code [n, *shape]}.
 *
 * <p>Parameters are listed in PyTorch {@code state_dict} order ({@code weight} then
 * {@code bias}); their full names are {@code <layer name>.<key>}, so a layer with parameters or
 * buffers must have a name.
 *
 * <pre>{@code
 * Layer fc = Linear.of("fc", 64, 10);
 * fc.parameters();                       // [weight [10, 64], bias [10]]
 * fc.outputShape(new long[] {64});       // [10]
 * Tensor y = fc.forward(x, List.of(w, b));   // x [n, 64] -> [n, 10]
 * }</pre>
 */
public interface Layer {

    /** The layer type as written in model files, e.g. {@code "linear"}. */
    String type();

    /** The layer's name ({@code null} allowed only for layers without parameters or buffers). */
    String name();

    /** The trainable parameters, in PyTorch {@code state_dict} order. */
    default List<TensorSpec> parameters() {
        return List.of();
    }

    /** The non-trainable buffers (running statistics), in PyTorch {@code state_dict} order. */
    default List<TensorSpec> buffers() {
        return List.of();
    }

    /**
     * The shape of one output sample for one input sample of {@code inputShape} (no batch axis).
     *
     * @throws LayerException naming the field that does not fit when the input shape does not chain
     */
    long[] outputShape(long[] inputShape);

    /**
     * The forward pass on a batch {@code x [n, *inputShape]}.
     *
     * @param params the parameters in {@link #parameters()} order
     * @param buffers the buffers in {@link #buffers()} order (constants)
     */
    Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers);

    /** The forward pass of a layer without buffers. */
    default Tensor forward(Tensor x, List<Tensor> params) {
        return forward(x, params, List.of());
    }

    /**
     * Whether a sample's output depends on other samples of the batch (batch statistics). Such a
     * layer makes per-sample gradients undefined.
     */
    default boolean couplesSamples() {
        return false;
    }

    /**
     * This layer in inference form (batch norm with running statistics, dropout as identity); the
     * layer itself if it has no training form.
     */
    default Layer inferenceForm() {
        return this;
    }

    /**
     * How per-sample gradients, their norms and per-sample-weighted sums of this layer's parameters
     * follow from one ordinary backward pass (see {@link PerSampleRule}); layers without parameters
     * never use it. The default pulls the output cotangent back through the layer alone in the
     * engine's per-sample mode; dense and convolution layers supply direct rules.
     */
    default PerSampleRule perSampleRule() {
        return LocalPerSampleRule.INSTANCE;
    }

    /** {@code "linear 'fc'"} or {@code "relu"}: for messages. */
    default String describe() {
        return name() == null ? type() : type() + " '" + name() + "'";
    }
}
