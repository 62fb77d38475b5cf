package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch normalization over the channel axis 1 of {@code x [N, C, ...]} ({@code [N, C]},
 * {@code [N, C, L]}, {@code [N, C, H, W]}, ...), with PyTorch's {@code F.batch_norm} semantics:
 * {@code y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]}.
 *
 * <ul>
 *   <li>{@link #apply} is the inference form ({@code training=False}): {@code mean} and
 *       {@code var} are the running statistics, buffers of shape {@code [C]}. Every output
 *       sample depends only on its own input sample, so batch Jacobians and per-sample gradients
 *       of {@code weight} and {@code bias} (and of the running statistics) work.</li>
 *   <li>{@link #applyTraining} is the training form: {@code mean} and the biased {@code var} are
 *       computed from the batch itself, over all axes but 1. It couples the samples (see its
 *       warning) and does not update any running statistics (values are immutable).</li>
 * </ul>
 *
 * <p>Both are composites of differentiable ops with no rules of their own, so every derivative
 * order, including those with respect to the running statistics, comes from their parts.
 *
 * <pre>{@code
 * Tensor x = Tensor.variable(Nd4j.rand(DataType.DOUBLE, 8, 3, 4, 4));   // [N, C, H, W]
 * Tensor rm = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 3));
 * Tensor rv = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 3));
 * Tensor y = BatchNorm.apply(x, rm, rv, gamma, beta, 1e-5);            // inference, [N, C, H, W]
 * Tensor t = BatchNorm.applyTraining(x, gamma, beta, 1e-5);            // batch statistics
 * }</pre>
 */
public final class BatchNorm {
    private static final String OP = "batch_norm";
    private static final String OP_TRAINING = "batch_norm (training)";

    private BatchNorm() {
    }

    /**
     * Inference form: normalizes with the given running statistics.
     *
     * @param x input {@code [N, C, ...]} (rank at least 2)
     * @param runningMean per-channel mean {@code [C]}
     * @param runningVar per-channel variance {@code [C]}
     * @param weight per-channel scale {@code [C]}, or {@code null} for none
     * @param bias per-channel shift {@code [C]}, or {@code null} for none
     * @param eps added to the variance (non-negative), e.g. {@code 1e-5}
     * @return a tensor of the shape of {@code x}
     * @throws AutodiffException if the shapes, dtypes or {@code eps} do not fit
     */
    public static Tensor apply(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, double eps) {
        validateInput(OP, x, eps);
        long c = x.size(1);
        List<Tensor> all = new ArrayList<>(List.of(x));
        checkChannel(OP, "runningMean", runningMean, c, x, false, all);
        checkChannel(OP, "runningVar", runningVar, c, x, false, all);
        checkChannel(OP, "weight", weight, c, x, true, all);
        checkChannel(OP, "bias", bias, c, x, true, all);
        Checks.sameDtype(OP, all.toArray(new Tensor[0]));
        long[] channelShape = channelShape(x);
        Tensor y = x.sub(runningMean.reshape(channelShape)).div(runningVar.reshape(channelShape).add(eps).sqrt());
        return affine(y, weight, bias, channelShape);
    }

    /**
     * Training form: normalizes each channel with the mean and biased variance of the batch, taken
     * over all axes but 1. Running statistics are not updated.
     *
     * <p><b>Warning: this couples the samples.</b> Each output sample depends on the whole batch
     * (through the batch mean and variance), so the output is not a per-sample function. A batch
     * Jacobian built with the sum-over-the-batch trick would be wrong (cross-sample terms would be
     * mixed into each sample's rows), and per-sample gradients are refused: in per-sample mode the
     * engine rejects the reduction over the batch axis with an {@link AutodiffException} (with a
     * batch of one sample there is nothing to couple and it is allowed). Full Jacobians and
     * ordinary gradients are exact. Use {@link #apply} with running statistics for per-sample
     * computations, as Opacus and {@code torch.func} do.
     *
     * @param x input {@code [N, C, ...]} (rank at least 2, more than one value per channel)
     * @param weight per-channel scale {@code [C]}, or {@code null} for none
     * @param bias per-channel shift {@code [C]}, or {@code null} for none
     * @param eps added to the variance (non-negative), e.g. {@code 1e-5}
     * @return a tensor of the shape of {@code x}
     * @throws AutodiffException if the shapes, dtypes or {@code eps} do not fit
     */
    public static Tensor applyTraining(Tensor x, Tensor weight, Tensor bias, double eps) {
        validateInput(OP_TRAINING, x, eps);
        long c = x.size(1);
        long perChannel = x.numel() / Math.max(c, 1);
        if (perChannel <= 1) {
            throw new AutodiffException(OP_TRAINING + ": expected more than 1 value per channel to compute batch statistics,"
                    + " got input " + Shapes.str(x.shape()));
        }
        List<Tensor> all = new ArrayList<>(List.of(x));
        checkChannel(OP_TRAINING, "weight", weight, c, x, true, all);
        checkChannel(OP_TRAINING, "bias", bias, c, x, true, all);
        Checks.sameDtype(OP_TRAINING, all.toArray(new Tensor[0]));
        int[] axes = new int[x.rank() - 1];
        axes[0] = 0;
        for (int i = 2; i < x.rank(); i++) {
            axes[i - 1] = i;
        }
        Tensor mean = x.mean(true, axes);
        Tensor centered = x.sub(mean);
        Tensor var = centered.square().mean(true, axes);
        Tensor y = centered.div(var.add(eps).sqrt());
        return affine(y, weight, bias, channelShape(x));
    }

    private static Tensor affine(Tensor y, Tensor weight, Tensor bias, long[] channelShape) {
        if (weight != null) {
            y = y.mul(weight.reshape(channelShape));
        }
        if (bias != null) {
            y = y.add(bias.reshape(channelShape));
        }
        return y;
    }

    /** {@code [C, 1, ..., 1]}: a per-channel vector aligned with axis 1 of {@code x} under broadcasting. */
    private static long[] channelShape(Tensor x) {
        long[] s = new long[x.rank() - 1];
        java.util.Arrays.fill(s, 1L);
        s[0] = x.size(1);
        return s;
    }

    private static void validateInput(String op, Tensor x, double eps) {
        if (x == null) {
            throw new AutodiffException(op + ": input x is null");
        }
        if (x.rank() < 2) {
            throw new AutodiffException(op + ": input must have shape [N, C, ...] (rank >= 2), got " + Shapes.str(x.shape()));
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new AutodiffException(op + ": eps must be a finite number >= 0, got " + eps);
        }
    }

    private static void checkChannel(String op, String what, Tensor t, long c, Tensor x, boolean optional, List<Tensor> all) {
        if (t == null) {
            if (optional) {
                return;
            }
            throw new AutodiffException(op + ": " + what + " is required (shape [" + c + "] for input " + Shapes.str(x.shape()) + ")");
        }
        if (t.rank() != 1 || t.size(0) != c) {
            throw new AutodiffException(op + ": " + what + " must have shape [" + c + "] (the channels, axis 1 of input "
                    + Shapes.str(x.shape()) + "), got " + Shapes.str(t.shape()));
        }
        all.add(t);
    }
}
