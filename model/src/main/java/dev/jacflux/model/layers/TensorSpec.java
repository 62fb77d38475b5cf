package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import java.util.Arrays;

/**
 * The key and shape of one parameter or buffer of a layer, e.g. {@code weight [10, 64]}; its full
 * name in a model is {@code <layer name>.<key>} (PyTorch's {@code state_dict} key).
 *
 * <pre>{@code
 * TensorSpec w = new TensorSpec("weight", new long[] {10, 64});
 * w.qualified("fc");   // "fc.weight"
 * }</pre>
 *
 * @param key the key within the layer ({@code weight}, {@code bias}, {@code running_mean}, ...)
 * @param shape the shape
 */
public record TensorSpec(String key, long[] shape) {
    public TensorSpec {
        shape = shape.clone();
    }

    /** The shape (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@code layerName + "." + key}. */
    public String qualified(String layerName) {
        return layerName + "." + key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.key.equals(key) && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return key + " " + Shapes.str(shape);
    }
}
