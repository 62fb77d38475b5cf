package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.BatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch normalization over the channels of {@code [C, H, W]} samples, PyTorch's
 * {@code nn.BatchNorm2d}: {@code y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]}.
 *
 * <ul>
 *   <li>Inference form ({@code training = false}, the default; PyTorch's {@code model.eval()}):
 *       {@code mean} and {@code var} are the running statistics, buffers {@code running_mean} and
 *       {@code running_var} of shape {@code [C]}. Each sample's output depends on that sample only,
 *       so per-sample gradients are defined.</li>
 *   <li>Training form ({@code training = true}, or {@code track_running_stats = false}, which has
 *       no running statistics): mean and biased variance of the batch itself. This couples the
 *       samples ({@link #couplesSamples()}), so per-sample computations refuse such a model.
 *       Running statistics are not updated (models are immutable).</li>
 * </ul>
 * {@code weight} and {@code bias} ({@code [C]}) are present if {@code affine}. PyTorch's
 * {@code num_batches_tracked} buffer is not kept.
 *
 * <pre>{@code
 * Layer bn = BatchNorm2d.of("bn1", 16);            // affine, running stats, inference form
 * Layer train = BatchNorm2d.of("bn1", 16).training(true);
 * }</pre>
 *
 * @param name layer name (required when it has parameters or buffers)
 * @param numFeatures {@code num_features} (channels)
 * @param eps {@code eps}
 * @param affine {@code affine}
 * @param trackRunningStats {@code track_running_stats}
 * @param training whether to use batch statistics (the training form)
 */
public record BatchNorm2d(String name, long numFeatures, double eps, boolean affine, boolean trackRunningStats, boolean training)
        implements Layer {
    public static final String TYPE = "batch_norm2d";

    public BatchNorm2d {
        if (affine || trackRunningStats) {
            Checks.requireName(TYPE, name);
        } else {
            Checks.optionalName(TYPE, name);
        }
        Checks.positive(TYPE, name, "num_features", numFeatures);
        Checks.finiteNonNegative(TYPE, name, "eps", eps);
    }

    /** Affine, with running statistics, in inference form, eps 1e-5. */
    public static BatchNorm2d of(String name, long numFeatures) {
        return new BatchNorm2d(name, numFeatures, 1e-5, true, true, false);
    }

    /** This layer with the training flag set. */
    public BatchNorm2d training(boolean on) {
        return new BatchNorm2d(name, numFeatures, eps, affine, trackRunningStats, on);
    }

    /** Whether batch statistics are used (training form, or no running statistics). */
    public boolean usesBatchStatistics() {
        return training || !trackRunningStats;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<TensorSpec> parameters() {
        List<TensorSpec> p = new ArrayList<>();
        if (affine) {
            p.add(new TensorSpec("weight", new long[] {numFeatures}));
            p.add(new TensorSpec("bias", new long[] {numFeatures}));
        }
        return p;
    }

    @Override
    public List<TensorSpec> buffers() {
        if (!trackRunningStats) {
            return List.of();
        }
        return List.of(new TensorSpec("running_mean", new long[] {numFeatures}), new TensorSpec("running_var", new long[] {numFeatures}));
    }

    @Override
    public long[] outputShape(long[] in) {
        if (in.length != 3) {
            throw new LayerException(TYPE, name, null, "expected a per-sample input [C, H, W], got " + Shapes.str(in));
        }
        if (in[0] != numFeatures) {
            throw new LayerException(TYPE, name, "num_features", "expected " + numFeatures + " channels (num_features), got input "
                    + Shapes.str(in));
        }
        return in.clone();
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        Tensor w = affine ? params.get(0) : null;
        Tensor b = affine ? params.get(1) : null;
        if (usesBatchStatistics()) {
            return BatchNorm.applyTraining(x, w, b, eps);
        }
        if (buffers.size() != 2) {
            throw new LayerException(TYPE, name, "running_mean", "the inference form needs the running_mean and running_var buffers, got "
                    + buffers.size() + " buffer(s)");
        }
        return BatchNorm.apply(x, buffers.get(0), buffers.get(1), w, b, eps);
    }

    @Override
    public boolean couplesSamples() {
        return usesBatchStatistics();
    }

    @Override
    public Layer inferenceForm() {
        return training ? training(false) : this;
    }
}
