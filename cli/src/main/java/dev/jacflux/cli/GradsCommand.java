package dev.jacflux.cli;

import dev.jacflux.autodiff.transforms.StagedJob;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jacflux grads}: per-sample gradients {@code [B, M]} of a loss with respect to all of a
 * model's parameters (columns in the model's parameter layout, printed after the run), or only
 * their norms {@code [B]} ({@code --norms}, by ghost norms without building the matrix).
 *
 * <pre>{@code
 * bin/jacflux grads --model M.json --input X.npy --targets T.npy --loss cross_entropy --out G.npy
 * bin/jacflux grads --model M.json --input X.npy --targets Y.npy --loss mse --norms --out norms.npy
 * }</pre>
 */
@Command(name = "grads", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        header = "Per-sample gradients [B, M] of a loss, or their norms [B].",
        description = {
            "Per-sample gradients [B, M] of a per-sample loss with respect to all M parameters of a model, one row per"
                + " sample (columns in the model's parameter layout: layers in order, weight then bias, row-major; the"
                + " command prints the column ranges).",
            "--norms: only the per-sample gradient norms [B], computed without building the [B, M] matrix.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux grads --model examples/mnist-mlp/model.json \\",
            "      --input examples/mnist-mlp/input.npy \\",
            "      --targets examples/mnist-mlp/labels.npy \\",
            "      --loss cross_entropy --out G.npy",
            "  bin/jacflux grads --model M.json --input X.npy --targets Y.npy --loss mse \\",
            "      --norms --out norms.npy",
            "",
            "Targets: cross_entropy takes integer class indices [B] (int32 or int64) and",
            "treats the outputs as logits (PyTorch's F.cross_entropy); mse takes float",
            "targets of the output's shape [B, *out] and averages over each sample's outputs.",
            "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming",
            "the file and the problem), 1 internal error."})
public final class GradsCommand extends ModelCommand {
    @Option(names = "--targets", required = true, paramLabel = "T.npy", description = "Targets .npy (see below).")
    Path targetsFile;

    @Option(names = "--loss", required = true, paramLabel = "cross_entropy|mse", converter = LossName.Converter.class,
            description = "The per-sample loss.")
    LossName loss;

    @Option(names = "--norms", description = "Write the per-sample gradient norms [B] instead of the gradients [B, M].")
    boolean norms;

    private INDArray targets;

    @Override
    protected void loadMore(Model m, INDArray x) {
        targets = loss.targets(m, model, targetsFile, input, x.size(0), compute.dtype());
        nonFinite.check(targets, targetsFile + " (--targets)");
    }

    @Override
    protected INDArray compute(Model m, INDArray x, Reporter reporter) {
        StagedJob job = norms
                ? PerSample.gradientNormsJob(m, x, targets, loss.loss(), compute.perSampleOptions())
                : PerSample.gradientsJob(m, x, targets, loss.loss(), compute.perSampleOptions());
        return JobRunner.run(job, reporter, "grads");
    }

    @Override
    protected String what() {
        return norms ? "per-sample gradient norms (" + loss.cliName() + ")" : "per-sample gradients (" + loss.cliName() + ")";
    }

    @Override
    protected void describeResult(Model m, Reporter reporter) {
        if (!norms) {
            describeColumns(m, reporter);
        }
    }
}
