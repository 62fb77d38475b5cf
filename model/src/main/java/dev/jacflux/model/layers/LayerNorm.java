package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Layer normalization, PyTorch's {@code nn.LayerNorm}: normalizes each sample over its trailing
 * axes {@code normalized_shape} (mean and biased variance), then scales by {@code weight} and
 * shifts by {@code bias} (both of shape {@code normalized_shape}, present if
 * {@code elementwise_affine}; the bias can be switched off as with PyTorch's {@code bias=False}).
 *
 * <pre>{@code
 * Layer ln = LayerNorm.of("ln", 16);                            // eps 1e-5, weight and bias [16]
 * Layer ln2 = new LayerNorm("ln2", new long[] {4, 4}, 1e-6, true, true);
 * }</pre>
 *
 * @param name layer name (required when affine)
 * @param normalizedShape {@code normalized_shape}
 * @param eps {@code eps}
 * @param elementwiseAffine {@code elementwise_affine}
 * @param bias {@code bias} (only with {@code elementwise_affine})
 */
public record LayerNorm(String name, long[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) implements Layer {
    public static final String TYPE = "layer_norm";

    public LayerNorm {
        if (elementwiseAffine) {
            Checks.requireName(TYPE, name);
        } else {
            Checks.optionalName(TYPE, name);
        }
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new LayerException(TYPE, name, "normalized_shape", "must have at least one axis, got "
                    + (normalizedShape == null ? "nothing" : Shapes.str(normalizedShape)));
        }
        normalizedShape = normalizedShape.clone();
        for (long d : normalizedShape) {
            if (d <= 0) {
                throw new LayerException(TYPE, name, "normalized_shape", "must be positive integers, got " + Shapes.str(normalizedShape));
            }
        }
        Checks.finiteNonNegative(TYPE, name, "eps", eps);
    }

    /** Affine layer norm over the last axis of size {@code d} with eps 1e-5. */
    public static LayerNorm of(String name, long... normalizedShape) {
        return new LayerNorm(name, normalizedShape, 1e-5, true, true);
    }

    /** The normalized shape (a copy). */
    @Override
    public long[] normalizedShape() {
        return normalizedShape.clone();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<TensorSpec> parameters() {
        List<TensorSpec> p = new ArrayList<>();
        if (elementwiseAffine) {
            p.add(new TensorSpec("weight", normalizedShape));
            if (bias) {
                p.add(new TensorSpec("bias", normalizedShape));
            }
        }
        return p;
    }

    @Override
    public long[] outputShape(long[] in) {
        int k = normalizedShape.length;
        if (in.length < k || !Arrays.equals(Shapes.range(in, in.length - k, in.length), normalizedShape)) {
            throw new LayerException(TYPE, name, "normalized_shape", "expected a per-sample input ending in "
                    + Shapes.str(normalizedShape) + ", got " + Shapes.str(in));
        }
        return in.clone();
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        Tensor w = elementwiseAffine ? params.get(0) : null;
        Tensor b = elementwiseAffine && bias ? params.get(1) : null;
        return dev.jacflux.autodiff.ops.LayerNorm.apply(x, normalizedShape, w, b, eps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerNorm l && java.util.Objects.equals(l.name, name) && Arrays.equals(l.normalizedShape, normalizedShape)
                && Double.compare(l.eps, eps) == 0 && l.elementwiseAffine == elementwiseAffine && l.bias == bias;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, Arrays.hashCode(normalizedShape), eps, elementwiseAffine, bias);
    }

    @Override
    public String toString() {
        return "LayerNorm[name=" + name + ", normalizedShape=" + Shapes.str(normalizedShape) + ", eps=" + eps
                + ", elementwiseAffine=" + elementwiseAffine + ", bias=" + bias + "]";
    }
}
