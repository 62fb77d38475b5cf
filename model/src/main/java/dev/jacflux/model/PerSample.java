package dev.jacflux.model;

import dev.jacflux.autodiff.transforms.Layouts;
import dev.jacflux.autodiff.transforms.PerSampleGradients;
import dev.jacflux.autodiff.transforms.PerSampleJacobian;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.PerSampleResult;
import dev.jacflux.model.ghost.GhostNormsJob;
import dev.jacflux.model.ghost.GhostStrategy;
import dev.jacflux.model.ghost.LayerGradientsJob;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Layer;
import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-sample computations on a {@link Model}: the {@code N x M} per-sample gradient matrix, the
 * {@code [N, D_y, M]} per-sample parameter Jacobian and the {@code [N]} per-sample gradient norms,
 * each in one reverse pass per chunk of samples (never one pass per sample). Columns follow the
 * model's parameter layout ({@link Model#layout()}): layers in order, {@code weight} then
 * {@code bias}, each flattened row-major.
 *
 * <p>Every method first refuses a model that couples samples (batch norm in training form), where
 * a per-sample gradient is not defined. The input is converted to the model's dtype.
 *
 * <pre>{@code
 * Model model = ModelFile.load(Path.of("mlp.json"), DataType.FLOAT);
 * PerSampleResult g = PerSample.gradients(model, x, labels, Loss.crossEntropy());
 * g.matrix();                       // [N, M]
 * g.view("fc1.weight");             // [N, 256, 784]
 * INDArray norms = PerSample.gradientNorms(model, x, labels, Loss.crossEntropy());   // [N], ghost norms
 * INDArray jac = PerSample.parameterJacobian(model, x,
 *         PerSampleOptions.DEFAULT.withMemoryBudget(512L << 20));                   // [N, D_y, M], chunked
 * }</pre>
 */
public final class PerSample {
    private PerSample() {
    }

    /** Per-sample gradients of {@code loss}: {@code [N, M]} plus per-parameter views {@code [N, *shape]}. */
    public static PerSampleResult gradients(Model model, INDArray x, INDArray targets, Loss loss) {
        return gradients(model, x, targets, loss, PerSampleOptions.DEFAULT);
    }

    /** Per-sample gradients, chunked as {@code options} says (samples per chunk or a memory budget). */
    public static PerSampleResult gradients(Model model, INDArray x, INDArray targets, Loss loss, PerSampleOptions options) {
        LayerGradientsJob job = gradientsJob(model, x, targets, loss, options);
        return new PerSampleResult(job.runInto(job.allocateResult()), job.layout());
    }

    /**
     * Per-sample gradients written into {@code out} ({@code [N, M]}, row-major, the model's dtype),
     * e.g. a buffer reused across batches: a fresh 241 MB result costs more than computing it.
     */
    public static PerSampleResult gradients(Model model, INDArray x, INDArray targets, Loss loss, PerSampleOptions options, INDArray out) {
        LayerGradientsJob job = gradientsJob(model, x, targets, loss, options);
        Layouts.requireResultBuffer("per-sample gradients", out, job.resultShape(), job.dtype());
        return new PerSampleResult(job.runInto(out), job.layout());
    }

    /**
     * The per-sample gradients as a staged job (for the reactive pipeline): chunks of samples, each
     * one forward and one backward pass keeping per-layer factors, written straight into the rows
     * of the {@code [N, M]} result (see {@link LayerGradientsJob}).
     *
     * <pre>{@code
     * LayerGradientsJob job = PerSample.gradientsJob(model, x, labels, Loss.crossEntropy(), options);
     * INDArray matrix = job.runInto(job.allocateResult());
     * PerSampleResult r = new PerSampleResult(matrix, job.layout());
     * }</pre>
     */
    public static LayerGradientsJob gradientsJob(Model model, INDArray x, INDArray targets, Loss loss, PerSampleOptions options) {
        requireIndependentSamples(model, "per-sample gradients");
        return new LayerGradientsJob(model, loss, prepare(model, x), targets, options, GhostStrategy.AUTO);
    }

    /**
     * The per-sample gradients through the engine's generic per-sample mode (one reverse pass per
     * chunk with batch-keeping parameter cotangents, {@link PerSampleGradients}), without the
     * per-layer factors: a second, independent route to the same matrix.
     */
    public static PerSampleGradients.Job gradientsJobViaEngine(Model model, INDArray x, INDArray targets, Loss loss, PerSampleOptions options) {
        requireIndependentSamples(model, "per-sample gradients");
        INDArray xs = prepare(model, x);
        return PerSampleGradients.of(model.lossFunction(loss), options).prepare(xs, targets, model.parameters(), model.layout().names());
    }

    /** Per-sample parameter Jacobian {@code [N, D_y, M]}: each sample's outputs (flattened) against all parameters. */
    public static INDArray parameterJacobian(Model model, INDArray x) {
        return parameterJacobian(model, x, PerSampleOptions.DEFAULT);
    }

    /** Per-sample parameter Jacobian, chunked as {@code options} says. */
    public static INDArray parameterJacobian(Model model, INDArray x, PerSampleOptions options) {
        PerSampleJacobian.Job job = parameterJacobianJob(model, x, options);
        return job.runInto(job.allocateResult());
    }

    /** The per-sample parameter Jacobian as a staged job. */
    public static PerSampleJacobian.Job parameterJacobianJob(Model model, INDArray x, PerSampleOptions options) {
        requireIndependentSamples(model, "per-sample parameter jacobian");
        INDArray xs = prepare(model, x);
        return PerSampleJacobian.of(model.asFunction(), options).prepare(xs, null, model.parameters(), model.layout().names());
    }

    /**
     * Per-sample gradient norms {@code [N]} (the row norms of the {@code N x M} matrix) by ghost
     * norms, without building the matrix (see {@link dev.jacflux.model.ghost.GhostPass}).
     */
    public static INDArray gradientNorms(Model model, INDArray x, INDArray targets, Loss loss) {
        return gradientNorms(model, x, targets, loss, PerSampleOptions.DEFAULT);
    }

    /** Per-sample gradient norms, chunked as {@code options} says. */
    public static INDArray gradientNorms(Model model, INDArray x, INDArray targets, Loss loss, PerSampleOptions options) {
        GhostNormsJob job = gradientNormsJob(model, x, targets, loss, options);
        return job.runInto(job.allocateResult());
    }

    /** The per-sample gradient norms as a staged job ({@link GhostStrategy#AUTO}). */
    public static GhostNormsJob gradientNormsJob(Model model, INDArray x, INDArray targets, Loss loss, PerSampleOptions options) {
        return gradientNormsJob(model, x, targets, loss, options, GhostStrategy.AUTO);
    }

    /** The per-sample gradient norms as a staged job with a chosen ghost strategy for conv/sequence layers. */
    public static GhostNormsJob gradientNormsJob(Model model, INDArray x, INDArray targets, Loss loss, PerSampleOptions options,
            GhostStrategy strategy) {
        requireIndependentSamples(model, "per-sample gradient norms");
        return new GhostNormsJob(model, loss, prepare(model, x), targets, options, strategy);
    }

    private static INDArray prepare(Model model, INDArray x) {
        INDArray xs = x.dataType() == model.dtype() ? x : x.castTo(model.dtype());
        model.architecture().checkInput(xs.shape());
        return xs;
    }

    /**
     * Refuses a model with a layer that couples samples, before anything is computed.
     *
     * @param what the computation asked for, for the message
     * @throws ModelException naming the layer, why a per-sample gradient is not defined and what to do
     */
    public static void requireIndependentSamples(Model model, String what) {
        Sequential arch = model.architecture();
        OptionalInt i = arch.couplingLayer();
        if (i.isEmpty()) {
            return;
        }
        Layer layer = arch.layer(i.getAsInt());
        String form = layer instanceof BatchNorm2d bn && !bn.trackRunningStats()
                ? "has no running statistics (track_running_stats = false), so it always normalizes with batch statistics"
                : "is in training form (batch statistics)";
        String fix = layer instanceof BatchNorm2d bn && !bn.trackRunningStats()
                ? "use a batch norm with running statistics (track_running_stats = true) in inference form"
                : "switch it to the inference form, which uses the running statistics (model.inferenceForm(), or \"training\": false"
                        + " in the model file)";
        throw new ModelException(what + " refused: " + arch.describe(i.getAsInt()) + " " + form + ". Batch statistics couple the"
                + " samples: each sample's output depends on every other sample of the batch, so a per-sample gradient is not defined"
                + " (any N x M matrix computed anyway would be silently wrong). To compute per-sample quantities, " + fix + ".");
    }
}
