package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.model.Model;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The shared part of the commands that run a model on an input batch ({@code jacobian},
 * {@code grads}, {@code hessian}): {@code --model}, {@code --input}, {@code --out}, the compute and
 * output options, and the order of the steps: check the output path, load the model and the input
 * (exit code 2 on any problem, before anything is computed), compute, write atomically, report.
 *
 * <pre>{@code
 * class GradsCommand extends ModelCommand {
 *     protected INDArray compute(Model model, INDArray x, Reporter r) { ... }
 * }
 * }</pre>
 */
public abstract class ModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.json", description = "Model file (jacflux-model/1 JSON; its weights .npz next to it).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input batch [B, *input_shape], float32 or float64.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "OUT.npy", description = "Output .npy file (written atomically; in --dtype).")
    Path out;

    @Mixin
    ComputeOptions compute;

    @Mixin
    OutputOptions output;

    @Mixin
    NonFiniteOption nonFinite;

    /** Checks option combinations before any file is read; throws a usage error. */
    protected void validateOptions() {
    }

    /** Reads further files (targets) and checks them; called after the model and input are loaded. */
    protected void loadMore(Model m, INDArray x) {
    }

    /** Computes the result array. */
    protected abstract INDArray compute(Model m, INDArray x, Reporter reporter);

    /** What was computed, e.g. {@code "batch jacobian"}, for the summary line. */
    protected abstract String what();

    /** Extra summary lines (e.g. the parameter layout of the columns). */
    protected void describeResult(Model m, Reporter reporter) {
    }

    @Override
    public Integer call() {
        validateOptions();
        Reporter reporter = output.reporter(spec.commandLine());
        AtomicOutput.checkWritable(out, "--out");
        compute.applyThreads();
        long t0 = System.nanoTime();
        DataType dtype = compute.dtype();
        Model m = Models.load(model, dtype);
        Models.requireFiniteWeights(m, model, nonFinite);
        INDArray x = Models.input(m, model, input, dtype);
        nonFinite.check(x, input + " (--input)");
        loadMore(m, x);
        INDArray result = compute(m, x, reporter);
        NpyFiles.write(out, result, dtype);
        double seconds = (System.nanoTime() - t0) / 1e9;
        reporter.info(String.format(Locale.ROOT, "%s: %s %s in %.2f s", out, what(), NpyFiles.describe(result.shape(), dtype), seconds));
        describeResult(m, reporter);
        return JacFluxCli.OK;
    }

    /** One summary line listing the parameter columns: {@code fc1.weight [32, 64] 0..2047, ...}. */
    protected static void describeColumns(Model m, Reporter reporter) {
        ParameterLayout layout = m.layout();
        StringBuilder sb = new StringBuilder("columns (M = " + layout.size() + "):");
        for (int i = 0; i < layout.count(); i++) {
            sb.append(i == 0 ? " " : ", ").append(layout.names().get(i)).append(' ').append(Shapes.str(layout.shapes().get(i)))
                    .append(' ').append(layout.offset(i)).append("..").append(layout.offset(i) + layout.numel(i) - 1);
        }
        reporter.info(sb.toString());
    }
}
