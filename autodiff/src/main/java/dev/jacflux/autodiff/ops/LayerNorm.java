package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Layer normalization with PyTorch's {@code F.layer_norm} semantics: each slice over the last
 * {@code normalizedShape.length} axes of {@code x} is normalized with its own mean and biased
 * variance, {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, where {@code weight} and
 * {@code bias} (both optional) have exactly the shape {@code normalizedShape}.
 *
 * <p>A composite of differentiable ops ({@code mean}, {@code sub}, {@code mul}, {@code add},
 * {@code sqrt}, {@code div}) with no rules of its own, so its VJP and JVP and every higher order
 * come from its parts. The statistics never mix samples along axis 0 (as long as
 * {@code normalizedShape} does not cover it), so per-sample gradients of {@code weight} and
 * {@code bias} work: they broadcast over the batch through the elementwise {@code mul} and
 * {@code add}.
 *
 * <pre>{@code
 * Tensor x = Tensor.variable(Nd4j.rand(DataType.DOUBLE, 8, 16));     // [B, d]
 * Tensor w = Tensor.variable(Nd4j.ones(DataType.DOUBLE, 16));
 * Tensor b = Tensor.variable(Nd4j.zeros(DataType.DOUBLE, 16));
 * Tensor y = LayerNorm.apply(x, new long[] {16}, w, b, 1e-5);       // [B, d]
 * }</pre>
 */
public final class LayerNorm {
    private static final String OP = "layer_norm";

    private LayerNorm() {
    }

    /**
     * Normalizes {@code x} over its trailing axes.
     *
     * @param x input {@code [..., *normalizedShape]}
     * @param normalizedShape the trailing shape of {@code x} to normalize over (at least one axis)
     * @param weight elementwise scale of shape {@code normalizedShape}, or {@code null} for none
     * @param bias elementwise shift of shape {@code normalizedShape}, or {@code null} for none
     * @param eps added to the variance (non-negative), e.g. {@code 1e-5}
     * @return a tensor of the shape of {@code x}
     * @throws AutodiffException if the shapes, dtypes or {@code eps} do not fit
     */
    public static Tensor apply(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int[] axes = validate(x, normalizedShape, weight, bias, eps);
        Tensor mean = x.mean(true, axes);
        Tensor centered = x.sub(mean);
        Tensor var = centered.square().mean(true, axes);
        Tensor y = centered.div(var.add(eps).sqrt());
        if (weight != null) {
            y = y.mul(weight);
        }
        if (bias != null) {
            y = y.add(bias);
        }
        return y;
    }

    private static int[] validate(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        if (x == null) {
            throw new AutodiffException(OP + ": input x is null");
        }
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new AutodiffException(OP + ": normalizedShape must have at least one axis, got "
                    + (normalizedShape == null ? "null" : Shapes.str(normalizedShape)) + " for input " + Shapes.str(x.shape()));
        }
        long[] xs = x.shape();
        int k = normalizedShape.length;
        if (xs.length < k || !Arrays.equals(Shapes.range(xs, xs.length - k, xs.length), normalizedShape)) {
            throw new AutodiffException(OP + ": normalizedShape " + Shapes.str(normalizedShape)
                    + " must equal the trailing dimensions of the input, got input " + Shapes.str(xs));
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new AutodiffException(OP + ": eps must be a finite number >= 0, got " + eps);
        }
        List<Tensor> all = new ArrayList<>(List.of(x));
        checkAffine("weight", weight, normalizedShape, all);
        checkAffine("bias", bias, normalizedShape, all);
        Checks.sameDtype(OP, all.toArray(new Tensor[0]));
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            axes[i] = xs.length - k + i;
        }
        return axes;
    }

    private static void checkAffine(String what, Tensor t, long[] normalizedShape, List<Tensor> all) {
        if (t == null) {
            return;
        }
        if (!Arrays.equals(t.shape(), normalizedShape)) {
            throw new AutodiffException(OP + ": " + what + " must have shape normalizedShape " + Shapes.str(normalizedShape)
                    + ", got " + Shapes.str(t.shape()));
        }
        all.add(t);
    }
}
