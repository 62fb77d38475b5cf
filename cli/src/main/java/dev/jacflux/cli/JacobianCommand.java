package dev.jacflux.cli;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.BatchJacobian;
import dev.jacflux.autodiff.transforms.FullJacobian;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.PerSample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code jacflux jacobian}: the batch Jacobian {@code [B, *out, *in]} of a model file's outputs
 * with respect to its inputs, the full Jacobian {@code [B, *out, B, *in]} ({@code --full}), or
 * the per-sample parameter Jacobian {@code [B, D_y, M]} ({@code --wrt params}).
 *
 * <pre>{@code
 * bin/jacflux jacobian --model examples/mnist-mlp/model.json --input examples/mnist-mlp/input.npy --out J.npy
 * bin/jacflux jacobian --model M.json --input X.npy --full --out Jfull.npy
 * bin/jacflux jacobian --model M.json --input X.npy --wrt params --chunk-size 8 --out Jp.npy
 * }</pre>
 */
@Command(name = "jacobian", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        header = "Batch, full or parameter Jacobian of a model on a batch of inputs.",
        description = {
            "Default: the batch Jacobian [B, *out, *in], J[b] = d y[b] / d x[b] (samples are independent).",
            "--full: the full Jacobian [B, *out, B, *in] of the batched model (no independence assumed).",
            "--wrt params: the per-sample parameter Jacobian [B, D_y, M] (D_y = outputs per sample, M = parameters;"
                + " the command prints the column ranges).",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux jacobian --model examples/mnist-mlp/model.json \\",
            "      --input examples/mnist-mlp/input.npy --out J.npy",
            "  bin/jacflux jacobian --model M.json --input X.npy --full --out Jfull.npy",
            "  bin/jacflux jacobian --model M.json --input X.npy --wrt params \\",
            "      --chunk-size 8 --dtype float64 --out Jp.npy",
            "",
            "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming",
            "the file and the problem), 1 internal error."})
public final class JacobianCommand extends ModelCommand {

    /** What to differentiate with respect to. */
    public enum Wrt {
        /** The input batch. */
        input,
        /** The model's parameters, per sample. */
        params
    }

    @Option(names = "--full", description = "Full Jacobian [B, *out, B, *in] instead of the batch Jacobian.")
    boolean full;

    @Option(names = "--wrt", paramLabel = "input|params", defaultValue = "input",
            description = "Differentiate with respect to the input (default) or the parameters ([B, D_y, M]).")
    Wrt wrt;

    @Override
    protected void validateOptions() {
        if (full && wrt == Wrt.params) {
            throw new ParameterException(spec.commandLine(), "--full cannot be combined with --wrt params (the per-sample parameter"
                    + " Jacobian is always [B, D_y, M])");
        }
    }

    @Override
    protected INDArray compute(Model m, INDArray x, Reporter reporter) {
        StagedJob job;
        if (wrt == Wrt.params) {
            job = PerSample.parameterJacobianJob(m, x, compute.perSampleOptions());
        } else if (full) {
            job = FullJacobian.of(forward(m), compute.jacobianOptions()).prepare(x);
        } else {
            try {
                PerSample.requireIndependentSamples(m, "batch jacobian");
            } catch (ModelException e) {
                throw new ModelException(e.getMessage() + " Or compute the full Jacobian with --full.", e);
            }
            job = BatchJacobian.of(forward(m), compute.jacobianOptions()).prepare(x);
        }
        return JobRunner.run(job, reporter, "jacobian");
    }

    /** The model as a function of its input batch, parameters fixed. */
    static Function<Tensor, Tensor> forward(Model m) {
        List<Tensor> params = new ArrayList<>();
        for (INDArray p : m.parameters()) {
            params.add(Tensor.constant(p));
        }
        return xin -> m.forward(xin, params);
    }

    @Override
    protected String what() {
        return wrt == Wrt.params ? "per-sample parameter jacobian" : full ? "full jacobian" : "batch jacobian";
    }

    @Override
    protected void describeResult(Model m, Reporter reporter) {
        if (wrt == Wrt.params) {
            describeColumns(m, reporter);
        }
    }
}
