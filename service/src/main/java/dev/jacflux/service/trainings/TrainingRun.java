package dev.jacflux.service.trainings;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.training.StepResult;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingException;
import dev.jacflux.training.checkpoint.AtomicFiles;
import dev.jacflux.training.checkpoint.ModelExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One training of the service: its trainer's steps, released in groups as their checkpoint is on
 * disk, its state, and what readers see.
 *
 * <p><b>Release.</b> The trainer writes a checkpoint every {@code K} steps (and at the end) before it
 * emits that step. The run holds the records of the steps since the last checkpoint and, when a
 * checkpoint step arrives, appends them all to {@code steps.ndjson}, forces the file to disk, and
 * only then publishes them (the event streams, {@link TrainingFeed}, the step and epsilon of the
 * status, the weights endpoint). So the released log never runs ahead of the checkpoints: after a
 * crash, the service resumes from the checkpoint of the last logged step, and the steps it
 * recomputes were never seen by anyone (with secure noise they come out differently, which is
 * correct: the lost ones were never released, so their noise protected nothing and cost no
 * privacy). Steps computed after the last checkpoint of a cancelled or failed run are dropped the
 * same way.
 *
 * <pre>{@code
 * TrainingRun run = manager.start(request);
 * run.status();       // state, released step, epsilon, ...
 * run.releases();     // the released step, as it grows; completes when the run ends
 * run.cancel();       // state cancelled; nothing more is released
 * }</pre>
 */
public final class TrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingDirectory.Definition definition;
    private final TrainingDirectory dir;
    private final StepLog log;
    private final TrainingUpdates feed;
    private final Object lock = new Object();
    private final Sinks.Many<Long> released = Sinks.many().replay().latest();
    private final Sinks.Empty<Void> stopped = Sinks.empty();
    private final Sinks.Empty<Void> closing = Sinks.empty();
    private final List<StepResult> pending = new ArrayList<>();

    // guarded by lock
    private TrainingDirectory.Status status;
    private long step;
    private StepResult last;
    private Trainer trainer;
    private Disposable subscription;
    private Runnable onFinal = () -> { };

    private TrainingRun(TrainingDirectory.Definition definition, TrainingDirectory dir, StepLog log, TrainingDirectory.Status status,
            TrainingUpdates feed) {
        this.definition = definition;
        this.dir = dir;
        this.log = log;
        this.status = status;
        this.feed = feed;
        this.step = log.lastStep();
        this.last = log.lastRecord();
    }

    /** A run over {@code dir} in the state of {@code status}; running ones wait for {@link #begin}. */
    static TrainingRun of(TrainingDirectory.Definition definition, TrainingDirectory dir, StepLog log, TrainingDirectory.Status status,
            TrainingUpdates feed) {
        TrainingRun r = new TrainingRun(definition, dir, log, status, feed);
        r.released.tryEmitNext(r.step);
        if (status.state().isFinal()) {
            r.released.tryEmitComplete();
            r.stopped.tryEmitEmpty();
            log.close();
        }
        feed.publish(r.update());
        return r;
    }

    /** Called once when the run reaches a final state (frees its running slot). */
    void onFinal(Runnable r) {
        synchronized (lock) {
            this.onFinal = r;
        }
    }

    /** Starts stepping {@code t} (its scheduler and listener set). */
    void begin(Trainer t) {
        synchronized (lock) {
            this.trainer = t;
            if (status.state() != TrainingState.RUNNING) {
                return;
            }
            this.subscription = t.steps()
                    .doFinally(signal -> stopped.tryEmitEmpty())
                    .subscribe(this::onStep, this::onError, this::onComplete);
        }
    }

    private void onStep(StepResult r) {
        synchronized (lock) {
            pending.add(r);
            if (r.step() % definition.request().checkpointEvery() == 0) {
                release();   // the trainer wrote this step's checkpoint before emitting it
            }
        }
    }

    /** Logs, forces and publishes the pending steps (under the lock; only while running). */
    private void release() {
        if (status.state() != TrainingState.RUNNING) {
            pending.clear();
            return;
        }
        if (pending.isEmpty()) {
            return;
        }
        log.append(pending);
        last = pending.get(pending.size() - 1);
        step = last.step();
        pending.clear();
        feed.publish(update());
        released.tryEmitNext(step);
    }

    private void onComplete() {
        synchronized (lock) {
            if (status.state() != TrainingState.RUNNING) {
                return;
            }
            try {
                release();   // the trainer has written its final checkpoint
                ModelExport.write(trainer.model(), dir.root());
                String reason = trainer.stopReason() == null ? "steps" : trainer.stopReason().name().toLowerCase(Locale.ROOT);
                end(TrainingState.COMPLETED, reason, null);
                LOG.info("training {}: completed after {} steps ({})", definition.id(), step, reason);
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    private void onError(Throwable e) {
        synchronized (lock) {
            if (status.state() != TrainingState.RUNNING) {
                return;
            }
            pending.clear();
            fail(e);
        }
    }

    private void fail(Throwable e) {
        String message = e instanceof TrainingException || e instanceof UncheckedIOException ? e.getMessage()
                : "internal error at step " + (step + 1) + "; the server log has the details";
        LOG.error("training {}: failed after {} released steps: {}", definition.id(), step, message, e);
        try {
            exportReleased();
        } catch (RuntimeException x) {
            LOG.warn("training {}: cannot export the weights of step {}: {}", definition.id(), step, x.getMessage());
        }
        end(TrainingState.FAILED, "failed", message);
    }

    /**
     * Cancels the run: nothing more is released; the state is {@code cancelled} and the weights are
     * those of the last released step.
     *
     * @throws ApiProblem 409 if the run has ended already
     */
    public TrainingStatus cancel() {
        Disposable s;
        synchronized (lock) {
            if (status.state().isFinal()) {
                throw ApiProblem.of(ProblemType.CONFLICT, "training '" + definition.id() + "' is " + status.state().wire() + " already ("
                        + (status.stopReason() == null ? "" : "stopped: " + status.stopReason() + ", ") + step
                        + " steps); only a running training can be cancelled");
            }
            pending.clear();
            try {
                exportReleased();
            } catch (RuntimeException x) {
                LOG.warn("training {}: cannot export the weights of step {}: {}", definition.id(), step, x.getMessage());
            }
            end(TrainingState.CANCELLED, "cancelled", null);
            s = subscription;
            LOG.info("training {}: cancelled after {} released steps", definition.id(), step);
        }
        if (s != null) {
            s.dispose();
        }
        return status();
    }

    /**
     * Stops stepping without changing the persisted state (service shutdown: a restart resumes it),
     * and ends the event streams without their {@code end} event, so that clients reconnect (with
     * their {@code Last-Event-ID}) to the restarted service.
     */
    void stop() {
        Disposable s;
        synchronized (lock) {
            s = subscription;
        }
        closing.tryEmitEmpty();
        if (s != null) {
            s.dispose();
        }
        log.close();
    }

    /** Completes when the service stops (event streams end then, without an {@code end} event). */
    Mono<Void> closing() {
        return closing.asMono();
    }

    /** Copies the weights of the released step to the training's directory ({@code model.json}, {@code weights.npz}). */
    private void exportReleased() {
        try {
            AtomicFiles.write(dir.root().resolve("model.json"), Files.readAllBytes(dir.modelAt(step)));
            AtomicFiles.write(dir.finalWeights(), Files.readAllBytes(dir.weightsAt(step)));
        } catch (IOException e) {
            throw new UncheckedIOException("training " + definition.id() + ": cannot copy the weights of step " + step + ": " + e.getMessage(), e);
        }
    }

    private void end(TrainingState state, String reason, String error) {
        status = new TrainingDirectory.Status(state, reason, error, status.restarts(), status.plannedSteps(), status.noiseMultiplier(),
                status.accounted(), status.privacy(), Instant.now());
        try {
            dir.writeStatus(status);
        } catch (RuntimeException e) {
            LOG.error("training {}: cannot record its state {}: {}", definition.id(), state.wire(), e.getMessage(), e);
        }
        log.close();
        feed.publish(update());
        released.tryEmitNext(step);
        released.tryEmitComplete();
        onFinal.run();
    }

    /** The released step as it grows (the current one first); completes when the run has ended. */
    public Flux<Long> releases() {
        return released.asFlux();
    }

    /** Completes when the trainer's stream has terminated (or never ran). */
    public Mono<Void> stopped() {
        return stopped.asMono();
    }

    /** The training's id. */
    public String id() {
        return definition.id();
    }

    /** What was asked. */
    TrainingDirectory.Definition definition() {
        return definition;
    }

    /** The log. */
    StepLog log() {
        return log;
    }

    /** The state. */
    public TrainingState state() {
        synchronized (lock) {
            return status.state();
        }
    }

    /** The released step. */
    public long step() {
        synchronized (lock) {
            return step;
        }
    }

    /** The released weights ({@code weights.npz} bytes) and their step; retried if a checkpoint is pruned meanwhile. */
    Weights weights() {
        for (int attempt = 0; ; attempt++) {
            long s;
            Path p;
            synchronized (lock) {
                s = step;
                p = status.state().isFinal() ? dir.finalWeights() : dir.weightsAt(s);
            }
            try {
                return new Weights(s, Files.readAllBytes(p));
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw new UncheckedIOException("training " + definition.id() + ": the weights of step " + s + " are gone: " + p, e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("training " + definition.id() + ": cannot read " + p + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The released weights.
     *
     * @param step  the step they are the weights after
     * @param bytes the {@code weights.npz} bytes
     */
    record Weights(long step, byte[] bytes) {
    }

    /** The status answer. */
    @SuppressWarnings("unchecked")
    public TrainingStatus status() {
        synchronized (lock) {
            TrainingRequest q = definition.request();
            String id = definition.id();
            return new TrainingStatus(id, status.state(), q.model(), q.dataset(), q.dp(), step, status.plannedSteps(),
                    last == null ? (Double) 0.0 : real(last.epoch()), last == null ? null : real(last.loss()),
                    last == null ? null : real(last.clippedFraction()), epsilon(), q.targetEpsilon(), q.delta(), status.noiseMultiplier(),
                    q.maxGradNorm(), status.privacy(), status.stopReason(), status.error(), status.restarts(), definition.created(),
                    status.updated(), JSON.convertValue(q.toJson(), Map.class), "/v1/trainings/" + id + "/events",
                    "/v1/trainings/" + id + "/weights.npz");
        }
    }

    /** The feed's update (under the lock). */
    private TrainingUpdate update() {
        TrainingRequest q = definition.request();
        return new TrainingUpdate(definition.id(), status.state(), q.model(), q.dp(), step, status.plannedSteps(),
                last == null ? null : real(last.loss()), last == null ? null : real(last.clippedFraction()), epsilon(), q.targetEpsilon(),
                q.delta(), q.maxGradNorm(), status.noiseMultiplier(), last == null ? null : real(last.samplesPerSecond()),
                last == null ? null : last.gradNormHistogram(), status.privacy(), Instant.now());
    }

    private Double epsilon() {
        if (!status.accounted()) {
            return null;
        }
        return last == null ? (Double) 0.0 : real(last.epsilon());
    }

    private static Double real(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
