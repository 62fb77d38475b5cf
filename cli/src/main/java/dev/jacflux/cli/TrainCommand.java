package dev.jacflux.cli;

import dev.jacflux.model.Model;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.StepResult;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingException;
import dev.jacflux.training.TrainingOptions;
import dev.jacflux.training.checkpoint.CheckpointStore;
import dev.jacflux.training.checkpoint.ModelExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jacflux train}: trains a {@code jacflux-model/1} model on {@code x}, {@code y} from an
 * {@code .npz}, with plain SGD or, with {@code --dp}, DP-SGD (Poisson sampling, per-example clipping
 * by ghost norms, secure Gaussian noise, the RDP accountant). Writes {@code DIR/model.json} +
 * {@code DIR/weights.npz} (PyTorch {@code state_dict} keys), {@code DIR/steps.ndjson} (one
 * {@code StepResult} per line) and checkpoints in {@code DIR/checkpoints}; {@code --resume}
 * continues from the latest checkpoint (the step count and the epsilon carry on).
 *
 * <pre>{@code
 * bin/jacflux train --model M.json --data D.npz --out run1 --dp --noise-multiplier 1.1 --epochs 5
 * bin/jacflux train --model M.json --data D.npz --out run2 --dp --target-epsilon 3 --epochs 5 --seed 7
 * bin/jacflux train --model M.json --data D.npz --out run1 --dp --noise-multiplier 1.1 --epochs 8 --resume
 * }</pre>
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        header = "Train a model with plain SGD or, with --dp, differentially private SGD.",
        description = {
            "Trains the model of --model on the arrays x [N, *input_shape] and y of --data (an .npz): integer y [N] are class"
                + " indices (cross_entropy on the model's outputs as logits), float y [N, *output_shape] are regression targets (mse).",
            "--dp: DP-SGD. Each step takes every example independently with probability Q = L/N (Poisson sampling, L ="
                + " --batch-size), clips each example's gradient to norm C (--max-grad-norm, by ghost norms: no N x M matrix),"
                + " adds Gaussian noise of std S*C from a cryptographically secure generator, divides by L and steps. The RDP"
                + " accountant reports epsilon at --delta; --target-epsilon E picks S so that the planned steps reach E, and"
                + " training never goes beyond E. --seed makes sampling and noise reproducible, and then the run is not private.",
            "Writes DIR/model.json + DIR/weights.npz (PyTorch state_dict keys), DIR/steps.ndjson (one JSON object per step:"
                + " step, epoch, batch_size, loss, clipped_fraction, grad_norm_*, epsilon, delta, noise_multiplier,"
                + " samples_per_second, seconds, privacy) and checkpoints in DIR/checkpoints (--resume continues from the latest).",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux train --model M.json --data D.npz --out run1 \\",
            "      --dp --noise-multiplier 1.1 --batch-size 256 --epochs 5",
            "  bin/jacflux train --model M.json --data D.npz --out run2 \\",
            "      --dp --target-epsilon 3 --epochs 5 --delta 1e-5",
            "  bin/jacflux train --model M.json --data D.npz --out run1 \\",
            "      --dp --noise-multiplier 1.1 --batch-size 256 --epochs 8 --resume",
            "",
            "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming",
            "the file or option and the problem), 1 internal error."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.json", description = "Model file (jacflux-model/1 JSON; its weights .npz next to it).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "D.npz", description = "Training data: arrays x and y (np.savez(\"D.npz\", x=x, y=y)).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
    Path out;

    @Option(names = "--dp", description = "Differentially private SGD (needs --noise-multiplier or --target-epsilon).")
    boolean dp;

    @ArgGroup(exclusive = true)
    Noise noise;

    /** At most one of the noise multiplier or the target epsilon. */
    static final class Noise {
        @Option(names = "--noise-multiplier", required = true, paramLabel = "S", description = "Noise std over the clip norm (>= 0).")
        Double noiseMultiplier;

        @Option(names = "--target-epsilon", required = true, paramLabel = "E",
                description = "Calibrate the noise for this epsilon over the planned steps; never exceed it.")
        Double targetEpsilon;
    }

    @Option(names = "--max-grad-norm", paramLabel = "C", defaultValue = "1.0", description = "Per-example clip norm (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--batch-size", paramLabel = "L", defaultValue = "64",
            description = "Batch size; with --dp the expected batch size of Poisson sampling (default: ${DEFAULT-VALUE}).")
    long batchSize;

    @ArgGroup(exclusive = true)
    Length length;

    /** At most one of epochs or steps (default: 1 epoch). */
    static final class Length {
        @Option(names = "--epochs", required = true, paramLabel = "K", description = "Passes over the data (default: 1).")
        Double epochs;

        @Option(names = "--steps", required = true, paramLabel = "T", description = "Steps in total (including those before --resume).")
        Long steps;
    }

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.1", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0", description = "SGD momentum in [0, 1) (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "1e-5", description = "Delta of the reported epsilon (default: ${DEFAULT-VALUE}).")
    double delta;

    @Option(names = "--seed", paramLabel = "N",
            description = "Reproducible sampling and noise (the run is then NOT private: the noise can be regenerated).")
    Long seed;

    @Option(names = "--loss", paramLabel = "cross_entropy|mse", converter = LossName.Converter.class,
            description = "The per-example loss (default: cross_entropy for integer y, mse for float y).")
    LossName loss;

    @Option(names = "--sampling", paramLabel = "poisson|shuffle",
            description = "Batch sampling (default: poisson with --dp, shuffle without); shuffled batches are not covered by the accountant.")
    String sampling;

    @Option(names = "--checkpoint-every", paramLabel = "K", defaultValue = "100",
            description = "Write a checkpoint every K steps, and at the end (default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--resume", description = "Continue the training whose checkpoints are in DIR.")
    boolean resume;

    @Mixin
    ComputeOptions compute;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        TrainingOptions.Sampling samplingChoice = validate();
        Reporter reporter = output.reporter(spec.commandLine());
        compute.applyThreads();
        prepareOut();
        DataType dtype = compute.dtype();
        Model m = Models.load(model, dtype);
        Dataset d = TrainingData.load(data, m, model, loss, dtype);
        LossName lossName = loss != null ? loss : TrainingData.defaultLoss(d.y());
        TrainingOptions o = options(lossName, samplingChoice);
        Trainer trainer = create(m, d, o);
        reporter.info("train: " + d.size() + " examples, " + Models.summary(m) + ", " + lossName.cliName() + "; " + trainer.plan().describe()
                + (resume ? "; resuming at step " + trainer.step() : ""));
        TrainProgress progress = new TrainProgress(output.progressEnabled() ? spec.commandLine().getErr() : null, trainer.plan().stepLimit());
        StepResult last;
        try (StepsFile log = StepsFile.open(out.resolve("steps.ndjson"), resume ? trainer.step() : 0)) {
            last = trainer.steps().doOnNext(r -> {
                log.append(r);
                progress.update(r);
            }).blockLast();
        } catch (RuntimeException e) {
            progress.done();   // end the bar's line before the error message
            throw e instanceof TrainingException ? new BadInputException(e.getMessage(), e) : e;
        }
        progress.done();
        try {
            ModelExport.write(trainer.model(), out);
        } catch (TrainingException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        String end = last == null ? "no step taken" : String.format(Locale.ROOT, "loss %.4f", last.loss());
        String eps = Double.isNaN(trainer.epsilon()) ? "no epsilon" : String.format(Locale.ROOT, "epsilon %.4f at delta %s",
                trainer.epsilon(), PrivacyCommand.number(delta));
        reporter.info(String.format(Locale.ROOT, "%d steps (stopped: %s), %s, %s; %s", trainer.step(),
                trainer.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '), end, eps, trainer.plan().privacy().describe()));
        reporter.info("wrote " + out.resolve("model.json") + ", " + out.resolve("weights.npz") + ", " + out.resolve("steps.ndjson")
                + ", checkpoints in " + out.resolve("checkpoints"));
        return JacFluxCli.OK;
    }

    private TrainingOptions.Sampling validate() {
        if (noise != null && !dp) {
            throw usage((noise.noiseMultiplier != null ? "--noise-multiplier" : "--target-epsilon") + " needs --dp (without it training is plain SGD)");
        }
        if (dp && noise == null) {
            throw usage("--dp needs --noise-multiplier S or --target-epsilon E");
        }
        if (noise != null && noise.noiseMultiplier != null && (!(noise.noiseMultiplier >= 0) || noise.noiseMultiplier.isInfinite())) {
            throw usage("--noise-multiplier must be a finite number >= 0, got " + noise.noiseMultiplier);
        }
        if (noise != null && noise.targetEpsilon != null && (!(noise.targetEpsilon > 0) || noise.targetEpsilon.isInfinite())) {
            throw usage("--target-epsilon must be a finite number > 0, got " + noise.targetEpsilon);
        }
        if (!(maxGradNorm > 0) || Double.isInfinite(maxGradNorm)) {
            throw usage("--max-grad-norm must be a finite number > 0, got " + maxGradNorm);
        }
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1, got " + batchSize);
        }
        if (length != null && length.epochs != null && (!(length.epochs > 0) || length.epochs.isInfinite())) {
            throw usage("--epochs must be a finite number > 0, got " + length.epochs);
        }
        if (length != null && length.steps != null && length.steps < 1) {
            throw usage("--steps must be >= 1, got " + length.steps);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw usage("--lr must be a finite number > 0, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw usage("--momentum must lie in [0, 1), got " + momentum);
        }
        if (!(delta > 0 && delta < 1)) {
            throw usage("--delta must lie in (0, 1), got " + delta);
        }
        if (checkpointEvery < 1) {
            throw usage("--checkpoint-every must be >= 1, got " + checkpointEvery);
        }
        if (sampling == null) {
            return null;
        }
        return switch (sampling.trim().toLowerCase(Locale.ROOT)) {
            case "poisson" -> TrainingOptions.Sampling.POISSON;
            case "shuffle" -> TrainingOptions.Sampling.SHUFFLE;
            default -> throw usage("--sampling must be poisson or shuffle, got '" + sampling + "'");
        };
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Checks and creates the output directory; refuses to start over a training without --resume. */
    private void prepareOut() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException(out + " (--out): is a file; expected a directory (created if missing)");
        }
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new BadInputException(out + " (--out): cannot create the directory: " + e.getMessage(), e);
        }
        if (!Files.isWritable(out)) {
            throw new BadInputException(out + " (--out): the directory is not writable");
        }
        boolean hasCheckpoints = !new CheckpointStore(out).checkpoints().isEmpty();
        if (resume && !hasCheckpoints) {
            throw new BadInputException(out + " (--out): no checkpoint to resume from (expected " + out.resolve("checkpoints") + "/step-*)");
        }
        if (!resume && hasCheckpoints) {
            throw new BadInputException(out + " (--out): holds the checkpoints of a training; use --resume to continue it, or another --out");
        }
    }

    private TrainingOptions options(LossName lossName, TrainingOptions.Sampling samplingChoice) {
        try {
            TrainingOptions o = (dp ? TrainingOptions.privateTraining(lossName.loss()) : TrainingOptions.plain(lossName.loss()))
                    .withClipNorm(maxGradNorm).withBatchSize(batchSize).withLearningRate(lr).withMomentum(momentum).withDelta(delta)
                    .withSeed(seed).withSampling(samplingChoice).withPerSample(compute.perSampleOptions())
                    .withCheckpoints(out, checkpointEvery).withName(out.getFileName() == null ? "train" : out.getFileName().toString());
            if (length != null && length.steps != null) {
                o = o.withSteps(length.steps);
            } else {
                o = o.withEpochs(length != null && length.epochs != null ? length.epochs : 1.0);
            }
            if (dp && noise.targetEpsilon != null) {
                o = o.withTargetEpsilon(noise.targetEpsilon);
            } else if (dp) {
                o = o.withNoiseMultiplier(noise.noiseMultiplier);
            }
            return o;
        } catch (TrainingException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    private Trainer create(Model m, Dataset d, TrainingOptions o) {
        try {
            if (!resume) {
                return Trainer.create(m, d, o);
            }
            Trainer t = Trainer.resume(d, o);
            if (!sameShapes(t.model(), m)) {
                throw new BadInputException(out + " (--resume): the checkpoint holds another model than " + model + " (parameters "
                        + t.model().layout().names() + " vs " + m.layout().names() + ")");
            }
            return t;
        } catch (TrainingException e) {
            throw new BadInputException((resume ? out + " (--resume): " : "") + e.getMessage(), e);
        }
    }

    /** Same input shape, parameter names and parameter shapes. */
    private static boolean sameShapes(Model a, Model b) {
        if (!java.util.Arrays.equals(a.architecture().inputShape(), b.architecture().inputShape()) || !a.layout().names().equals(b.layout().names())) {
            return false;
        }
        for (int i = 0; i < a.layout().count(); i++) {
            if (!java.util.Arrays.equals(a.layout().shapes().get(i), b.layout().shapes().get(i))) {
                return false;
            }
        }
        return true;
    }
}
