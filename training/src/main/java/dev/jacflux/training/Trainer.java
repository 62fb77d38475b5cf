package dev.jacflux.training;

import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.model.Model;
import dev.jacflux.model.NoiseSource;
import dev.jacflux.model.Sgd;
import dev.jacflux.training.checkpoint.Checkpoint;
import dev.jacflux.training.checkpoint.CheckpointInfo;
import dev.jacflux.training.checkpoint.CheckpointStore;
import dev.jacflux.training.privacy.RdpAccountant;
import dev.jacflux.training.step.ClippedSum;
import dev.jacflux.training.step.Clipping;
import dev.jacflux.training.step.OptimizerState;
import dev.jacflux.training.step.SgdUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A training as a stream: {@link #steps()} is a {@link Flux} that runs one step per element and
 * emits its {@link StepResult}. Each step draws a batch from the sampler (Poisson by default),
 * runs the forward pass and one backward pass, computes the per-example gradient norms (ghost
 * clipping) or the {@code N x M} matrix, clips, adds secure Gaussian noise, divides by the expected
 * batch size and updates the model; the RDP accountant then records the step. Plain SGD (no
 * clipping, no noise, no accountant) is the other mode.
 *
 * <ul>
 *   <li><b>Demand-driven.</b> A step runs only when the subscriber has requested one (backpressure),
 *       on the trainer's scheduler (by default a bounded-elastic thread); cancelling stops the
 *       training after the step in progress.</li>
 *   <li><b>Stops</b> at the step limit, the epoch limit, or before the step that would take epsilon
 *       beyond the target, whichever comes first ({@link #stopReason()}).</li>
 *   <li><b>Checkpoints</b> (with a checkpoint directory) every {@code K} steps and when a stop
 *       condition ends the training (a cancelled training keeps its last periodic checkpoint):
 *       model, optimizer state, accountant history, step count. {@link #resume} continues the step
 *       count and the epsilon: privacy spent is never reset.</li>
 *   <li><b>Observable</b> through a {@link TrainingListener} (phase durations, steps), e.g.
 *       {@link dev.jacflux.training.metrics.TrainingMetrics} for Micrometer.</li>
 * </ul>
 * A trainer runs once: its flux may be subscribed to once.
 *
 * <pre>{@code
 * Dataset data = Dataset.of(x, labels);
 * TrainingOptions o = TrainingOptions.privateTraining(Loss.crossEntropy())
 *         .withNoiseMultiplier(1.1).withBatchSize(64).withEpochs(3).withCheckpoints(Path.of("run1"), 50);
 * Trainer trainer = Trainer.create(model, data, o);
 * trainer.steps().doOnNext(r -> System.out.println(r.toJson())).blockLast();
 * Model trained = trainer.model();
 * // later, or after a crash:
 * Trainer more = Trainer.resume(data, o.withEpochs(6));    // continues at the checkpoint's step and epsilon
 * }</pre>
 */
public final class Trainer {
    private final Dataset data;
    private final TrainingOptions options;
    private final TrainingPlan plan;
    private final Clipping clipping;
    private final SgdUpdate optimizer;
    private final RdpAccountant accountant;
    private final CheckpointStore checkpoints;
    private final TrainingListener listener;
    private final Scheduler scheduler;
    private final AtomicBoolean started = new AtomicBoolean();

    private volatile Model model;
    private OptimizerState optimizerState;
    private volatile long step;
    private long examplesSeen;
    private long lastCheckpoint;
    private volatile StopReason stopReason;
    private volatile double epsilon;

    private Trainer(Model model, Dataset data, TrainingOptions options, TrainingPlan plan, OptimizerState optimizerState, RdpAccountant accountant,
            long step, long examplesSeen, TrainingListener listener, Scheduler scheduler) {
        this.data = data;
        this.options = options;
        this.plan = plan;
        this.model = model;
        this.optimizerState = optimizerState;
        this.accountant = accountant;
        this.step = step;
        this.lastCheckpoint = step;
        this.examplesSeen = examplesSeen;
        this.listener = listener;
        this.scheduler = scheduler;
        this.clipping = Clipping.of(options.method(), options.loss(), options.clipNorm(), options.perSample(), options.strategy());
        this.optimizer = new SgdUpdate(options.learningRate(), options.momentum());
        this.checkpoints = options.checkpointDirectory() == null ? null : new CheckpointStore(options.checkpointDirectory());
        this.epsilon = plan.privacy().accounted() ? accountant.epsilon(options.delta()) : Double.NaN;
    }

    /**
     * A fresh training of {@code model} on {@code data}.
     *
     * @throws TrainingException if the options do not fit together or the dataset does not fit the model
     */
    public static Trainer create(Model model, Dataset data, TrainingOptions options) {
        Dataset d = data.forModel(model);
        TrainingPlan plan = TrainingPlan.resolve(options, d.size(), Double.NaN);
        return new Trainer(model, d, options, plan, OptimizerState.EMPTY, new RdpAccountant(), 0, 0, TrainingListener.NONE,
                Schedulers.boundedElastic());
    }

    /**
     * Continues the training whose latest checkpoint is in {@code options.checkpointDirectory()}:
     * its model, optimizer state, step count and accountant history. The sampling, dataset size,
     * batch size, clip norm, learning rate, momentum and randomness must be those of the
     * checkpoint; the noise multiplier too when given (a calibrated one is taken from the
     * checkpoint); the stop conditions and delta may change.
     *
     * @throws TrainingException if there is no checkpoint or it does not match the options
     */
    public static Trainer resume(Dataset data, TrainingOptions options) {
        if (options.checkpointDirectory() == null) {
            throw new TrainingException("resume: the options name no checkpoint directory");
        }
        CheckpointStore store = new CheckpointStore(options.checkpointDirectory());
        Checkpoint c = store.latest().orElseThrow(() -> new TrainingException(store.root() + ": no checkpoint to resume from"));
        CheckpointInfo i = c.info();
        Dataset d = data.forModel(c.model());
        String where = "resume from " + c.directory();
        String sampling = options.effectiveSampling().name().toLowerCase(java.util.Locale.ROOT);
        mustMatch(where, "private_training", i.privateTraining(), options.privateTraining());
        mustMatch(where, "sampling", i.sampling(), sampling);
        mustMatch(where, "dataset_size", i.datasetSize(), d.size());
        mustMatch(where, "batch_size", i.batchSize(), options.batchSize());
        mustMatch(where, "clip_norm", i.clipNorm(), options.clipNorm());
        mustMatch(where, "learning_rate", i.learningRate(), options.learningRate());
        mustMatch(where, "momentum", i.momentum(), options.momentum());
        mustMatch(where, "seed", i.seed(), options.seed());
        if (options.privateTraining() && !Double.isNaN(options.noiseMultiplier())) {
            mustMatch(where, "noise_multiplier", i.noiseMultiplier(), options.noiseMultiplier());
        }
        TrainingPlan plan = TrainingPlan.resolve(options, d.size(), options.privateTraining() ? i.noiseMultiplier() : Double.NaN);
        return new Trainer(c.model(), d, options, plan, c.optimizer(), RdpAccountant.of(i.accountant()), i.step(), i.examplesSeen(),
                TrainingListener.NONE, Schedulers.boundedElastic());
    }

    private static void mustMatch(String where, String field, Object checkpoint, Object now) {
        if (!java.util.Objects.equals(checkpoint, now)) {
            throw new TrainingException(where + ": field '" + field + "' is " + checkpoint + " in the checkpoint but " + now
                    + " in the options; a resumed training must keep it");
        }
    }

    /** The same training, reporting to {@code l} (before it starts). */
    public Trainer withListener(TrainingListener l) {
        requireNotStarted();
        return new Trainer(model, data, options, plan, optimizerState, accountant, step, examplesSeen, l == null ? TrainingListener.NONE : l,
                scheduler);
    }

    /** The same training, stepping on {@code s} (before it starts). */
    public Trainer withScheduler(Scheduler s) {
        requireNotStarted();
        return new Trainer(model, data, options, plan, optimizerState, accountant, step, examplesSeen, listener, s);
    }

    private void requireNotStarted() {
        if (started.get()) {
            throw new TrainingException("trainer: already started");
        }
    }

    /**
     * The training as a stream of steps (cold: nothing runs before a subscriber requests). May be
     * subscribed to once.
     */
    public Flux<StepResult> steps() {
        return Flux.defer(() -> {
            if (!started.compareAndSet(false, true)) {
                return Flux.error(new TrainingException("trainer: this training already ran; create another trainer, or resume"
                        + " from its checkpoint"));
            }
            return Flux.<StepResult>generate(this::next).doOnCancel(() -> end(StopReason.CANCELLED));
        }).subscribeOn(scheduler);
    }

    private void next(SynchronousSink<StepResult> sink) {
        try {
            StopReason stop = stopBefore();
            if (stop != null) {
                if (checkpoints != null && step > lastCheckpoint) {
                    writeCheckpoint(new PhaseTimer());
                }
                end(stop);
                sink.complete();
                return;
            }
            sink.next(runStep());
        } catch (RuntimeException | Error e) {
            end(StopReason.FAILED);
            sink.error(e);
        }
    }

    private void end(StopReason reason) {
        if (stopReason == null) {
            stopReason = reason;
            listener.onEnd(reason);
        }
    }

    /** Why the training should stop before the next step, or null. */
    private StopReason stopBefore() {
        if (step >= plan.stepLimit()) {
            return plan.limitFromEpochs() ? StopReason.EPOCHS : StopReason.STEPS;
        }
        if (plan.privacy().accounted() && !Double.isNaN(options.targetEpsilon())
                && accountant.privacySpentAfter(1, plan.noiseMultiplier(), plan.sampler().sampleRate(), options.delta()).epsilon()
                > options.targetEpsilon()) {
            return StopReason.TARGET_EPSILON;
        }
        return null;
    }

    private StepResult runStep() {
        long t0 = System.nanoTime();
        PhaseTimer timer = new PhaseTimer();
        long index = step;
        Dataset.Batch batch = timer.time(Phase.SAMPLE, () -> data.batch(plan.sampler().batch(index)));
        Model current = model;
        double loss;
        double clipped = Double.NaN;
        double[] quantiles = StepResult.nanQuantiles();
        GradNormHistogram histogram = null;
        if (options.privateTraining()) {
            CompletableFuture<INDArray> noise = plan.noiseMultiplier() == 0 ? null
                    : CompletableFuture.supplyAsync(() -> noiseSource(index).sample(current.parameterCount(),
                            plan.noiseMultiplier() * options.clipNorm(), current.dtype()));
            ClippedSum cs = clipping.clip(current, batch.x(), batch.y(), timer);
            INDArray z = noise == null ? null : timer.time(Phase.NOISE, () -> join(noise));
            timer.run(Phase.UPDATE, () -> update(current, privatised(current, cs.sums(), z)));
            loss = mean(cs.losses());
            if (cs.norms().length > 0) {
                quantiles = StepResult.quantiles(cs.norms());
                histogram = GradNormHistogram.of(cs.norms(), options.clipNorm(), GradNormHistogram.DEFAULT_BINS);
                clipped = clippedFraction(cs.norms());
            }
            if (plan.privacy().accounted()) {
                timer.run(Phase.ACCOUNT, () -> {
                    accountant.step(plan.noiseMultiplier(), plan.sampler().sampleRate());
                    epsilon = accountant.epsilon(options.delta());
                });
            }
        } else if (batch.size() > 0) {
            Sgd.Gradient g = timer.time(Phase.FORWARD_BACKWARD, () -> new Sgd(options.learningRate(), options.loss())
                    .gradient(current, batch.x(), batch.y()));
            timer.run(Phase.UPDATE, () -> update(current, new ArrayList<>(g.parameters())));
            loss = g.meanLoss();
        } else {
            loss = Double.NaN;
        }
        step = index + 1;
        examplesSeen += batch.size();
        double seconds = (System.nanoTime() - t0) / 1e9;
        StepResult r = new StepResult(step, plan.sampler().epochs(step), batch.size(), loss, clipped, quantiles, histogram, epsilon,
                options.delta(),
                plan.noiseMultiplier(), batch.size() / seconds, seconds, plan.privacy().describe());
        if (checkpoints != null && step % options.checkpointEvery() == 0) {
            writeCheckpoint(timer);
        }
        for (Map.Entry<Phase, Long> e : timer.all().entrySet()) {
            listener.onPhase(e.getKey(), e.getValue());
        }
        listener.onStep(r);
        return r;
    }

    private NoiseSource noiseSource(long index) {
        RandomStreams random = options.randomStreams();
        return random.seeded() ? NoiseSource.seeded(random.seed(RandomStreams.Stream.NOISE, index)) : NoiseSource.secure();
    }

    private static INDArray join(CompletableFuture<INDArray> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new TrainingException("drawing the noise failed: " + e.getCause(), e);
        }
    }

    /** {@code (sum + noise) / L} per parameter, in place on the fresh sums. */
    private List<INDArray> privatised(Model m, List<INDArray> sums, INDArray noise) {
        ParameterLayout layout = m.layout();
        double scale = 1.0 / options.batchSize();
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < sums.size(); i++) {
            INDArray g = sums.get(i);
            if (noise != null) {
                g.addi(noise.get(NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i))).reshape('c', layout.shapes().get(i)));
            }
            out.add(g.muli(scale));
        }
        return out;
    }

    private void update(Model m, List<INDArray> gradients) {
        SgdUpdate.Result r = optimizer.apply(m, gradients, optimizerState);
        model = r.model();
        optimizerState = r.state();
    }

    private double clippedFraction(double[] norms) {
        long c = 0;
        for (double v : norms) {
            if (v > options.clipNorm()) {
                c++;
            }
        }
        return (double) c / norms.length;
    }

    private static double mean(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private void writeCheckpoint(PhaseTimer timer) {
        timer.run(Phase.CHECKPOINT, () -> {
            checkpoints.write(new Checkpoint(model, optimizerState, info(), null));
            lastCheckpoint = step;
        });
    }

    private CheckpointInfo info() {
        return new CheckpointInfo(step, examplesSeen, options.privateTraining(),
                options.effectiveSampling().name().toLowerCase(java.util.Locale.ROOT), data.size(), options.batchSize(),
                plan.sampler().sampleRate(), options.clipNorm(), plan.noiseMultiplier(), options.learningRate(), options.momentum(),
                options.delta(), options.seed(), model.dtype() == DataType.DOUBLE ? "float64" : "float32", accountant.history(), epsilon,
                plan.privacy().describe());
    }

    /** The resolved plan: sampler, noise multiplier, step limit, privacy. */
    public TrainingPlan plan() {
        return plan;
    }

    /** The options. */
    public TrainingOptions options() {
        return options;
    }

    /** The model after the latest step (the initial one before the first). */
    public Model model() {
        return model;
    }

    /** Steps done (including those before a resume). */
    public long step() {
        return step;
    }

    /** Epsilon spent so far (NaN when not accounted). */
    public double epsilon() {
        return epsilon;
    }

    /** Why the training ended, or null while it runs (or before it starts). */
    public StopReason stopReason() {
        return stopReason;
    }

    /** The accountant's history so far (a copy). */
    public List<RdpAccountant.Entry> accountantHistory() {
        return accountant.history();
    }
}
