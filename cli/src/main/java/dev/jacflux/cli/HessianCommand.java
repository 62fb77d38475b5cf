package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSampleHessian;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code jacflux hessian}: per-sample Hessians {@code [B, *in, *in]} with respect to each sample's
 * input, of the sample's loss ({@code --targets} and {@code --loss}) or, for a model with one
 * output per sample, of that output. See {@link PerSampleHessian} for the method.
 *
 * <pre>{@code
 * bin/jacflux hessian --model M.json --input X.npy --targets T.npy --loss cross_entropy --out H.npy
 * bin/jacflux hessian --model scalar.json --input X.npy --out H.npy
 * }</pre>
 */
@Command(name = "hessian", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        header = "Per-sample Hessians [B, *in, *in] of a loss or of a scalar output.",
        description = {
            "Per-sample Hessians [B, *in, *in] with respect to each sample's input: of the sample's loss (--targets"
                + " and --loss), or of the model's output when it has one output per sample.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux hessian --model examples/mnist-mlp/model.json \\",
            "      --input examples/mnist-mlp/input.npy \\",
            "      --targets examples/mnist-mlp/labels.npy \\",
            "      --loss cross_entropy --out H.npy",
            "  bin/jacflux hessian --model scalar-model.json --input X.npy --dtype float64 \\",
            "      --out H.npy",
            "",
            "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming",
            "the file and the problem), 1 internal error."})
public final class HessianCommand extends ModelCommand {
    @Option(names = "--targets", paramLabel = "T.npy", description = "Targets .npy for --loss (as in 'jacflux grads').")
    Path targetsFile;

    @Option(names = "--loss", paramLabel = "cross_entropy|mse", converter = LossName.Converter.class,
            description = "The per-sample loss whose Hessian is computed (needs --targets).")
    LossName loss;

    private INDArray targets;

    @Override
    protected void validateOptions() {
        if ((targetsFile == null) != (loss == null)) {
            throw new ParameterException(spec.commandLine(), targetsFile == null
                    ? "--loss needs --targets (the targets of the loss)"
                    : "--targets needs --loss (cross_entropy or mse)");
        }
    }

    @Override
    protected void loadMore(Model m, INDArray x) {
        if (loss != null) {
            targets = loss.targets(m, model, targetsFile, input, x.size(0), compute.dtype());
            nonFinite.check(targets, targetsFile + " (--targets)");
        } else {
            long[] outShape = m.architecture().outputShape();
            if (Shapes.numel(outShape) != 1) {
                throw new BadInputException(model + " (--model): the model has " + Shapes.numel(outShape) + " outputs per sample (output"
                        + " shape " + Shapes.str(outShape) + "); a Hessian needs one scalar per sample: give --targets and --loss, or use"
                        + " a model with one output");
            }
        }
    }

    @Override
    protected INDArray compute(Model m, INDArray x, Reporter reporter) {
        StagedJob job = PerSampleHessian.prepare(m, x, loss == null ? null : loss.loss(), targets, compute.jacobianOptions());
        return JobRunner.run(job, reporter, "hessian");
    }

    @Override
    protected String what() {
        return loss == null ? "per-sample hessian of the output" : "per-sample hessian of the " + loss.cliName() + " loss";
    }
}
