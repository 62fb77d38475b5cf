package dev.jacflux.service.trainings;

import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.service.datasets.DatasetRoutes;
import dev.jacflux.service.datasets.DatasetStore;
import dev.jacflux.service.datasets.DatasetUsage;
import dev.jacflux.service.models.ModelRoutes;
import dev.jacflux.service.models.ModelStore;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingException;
import dev.jacflux.training.TrainingOptions;
import dev.jacflux.training.TrainingPlan;
import dev.jacflux.training.checkpoint.ModelExport;
import dev.jacflux.training.metrics.TrainingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The service's trainings: starts them, finds them, cancels them, and at start-up resumes those a
 * stopped (or killed) service left running.
 *
 * <p><b>Threads.</b> Each training steps on a thread of its own from a pool of
 * {@code jacflux.training.max-running} threads ({@code jacflux-training-*}; trainings resumed at
 * start-up beyond that wait for a thread); its noise is drawn on
 * the common fork-join pool while the passes run. Neither is the HTTP event loop nor the Jacobian
 * pipeline's rails, so a training cannot block requests or starve Jacobian jobs of their threads
 * (they still share the machine's cores). HTTP handlers do their file and model work on
 * bounded-elastic threads; event streams read the step log there too.
 *
 * <p><b>Resuming after a crash</b> ({@link #recover}): the step log is the truth of what was
 * released. Its torn last line is dropped; the newest checkpoint at or before its last step is
 * the resume point (steps are only logged once their checkpoint is on disk, so that is the last
 * logged step, or a checkpoint whose steps were logged but not yet announced); log lines and
 * checkpoints after it are deleted; the trainer resumes from it (step count, optimizer and
 * accountant history: the epsilon continues, privacy spent is never reset) or starts again from the
 * initial model if no step was released.
 *
 * <pre>{@code
 * TrainingManager m = new TrainingManager(dataDir, properties, models, datasets, feed, registry);
 * TrainingRun run = m.start(request);     // 429 beyond max-running, 404 unknown model or dataset, 400 bad options
 * m.find(run.id()).orElseThrow().cancel();
 * }</pre>
 */
public final class TrainingManager implements DatasetUsage, SmartLifecycle, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingManager.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d+)");
    private static final SecureRandom IDS = new SecureRandom();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Path root;
    private final TrainingProperties properties;
    private final ModelStore models;
    private final DatasetStore datasets;
    private final TrainingUpdates feed;
    private final MeterRegistry registry;
    private final ExecutorService executor;
    private final Scheduler scheduler;
    private final Map<String, TrainingRun> runs = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final Counter rejected;
    private volatile boolean stopping;

    /** Trainings in {@code dataDir/trainings}; those left running are resumed now. */
    public TrainingManager(Path dataDir, TrainingProperties properties, ModelStore models, DatasetStore datasets, TrainingUpdates feed,
            MeterRegistry registry) {
        this.root = dataDir.resolve("trainings");
        this.properties = properties;
        this.models = models;
        this.datasets = datasets;
        this.feed = feed;
        this.registry = registry;
        // an Executor (not an ExecutorService): cancelling a training never interrupts its thread, so the step in progress
        // (and its checkpoint write) finishes cleanly; the trainer checks for cancellation between steps
        this.executor = Executors.newFixedThreadPool(properties.maxRunning(), r -> {
            Thread t = new Thread(r, "jacflux-training-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scheduler = Schedulers.fromExecutor(executor);
        this.rejected = Counter.builder("jacflux.service.rejected.trainings")
                .description("Training requests refused with 429: jacflux.training.max-running trainings were running").register(registry);
        Gauge.builder("jacflux.service.trainings.running", running, AtomicInteger::get)
                .description("Trainings running now").register(registry);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the training directory " + root + ": " + e.getMessage(), e);
        }
        recoverAll();
    }

    /** {@code <data-dir>/trainings}. */
    public Path directory() {
        return root;
    }

    /** The scheduler the trainings step on. */
    Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Starts a training (blocking: loads the model and the dataset; call it off the event loop).
     *
     * @throws ApiProblem 429 if {@code max-running} trainings run, 404 for an unknown model or dataset,
     *     400 if the dataset does not fit the model or the options do not work together
     */
    public TrainingRun start(TrainingRequest q) {
        if (!acquire()) {
            rejected.increment();
            throw ApiProblem.withHeaders(ProblemType.TOO_MANY_TRAININGS, properties.maxRunning() + " training"
                    + (properties.maxRunning() == 1 ? " is" : "s are") + " running already (jacflux.training.max-running); cancel one"
                    + " (DELETE /v1/trainings/{id}) or wait for one to end", Map.of("Retry-After", "60"));
        }
        Path created = null;
        try {
            models.find(q.model()).orElseThrow(() -> ModelRoutes.noModel(q.model()));
            datasets.find(q.dataset()).orElseThrow(() -> DatasetRoutes.noDataset(q.dataset()));
            Model model = models.load(q.model(), DataType.FLOAT);
            DatasetStore.Arrays arrays = datasets.load(q.dataset());
            String loss = q.lossFor(TrainingData.intTargets(arrays));
            Dataset data = TrainingData.of(arrays, q.dataset(), model, q.model(), loss);
            String id = newId();
            TrainingDirectory dir = new TrainingDirectory(root.resolve(id));
            Trainer trainer;
            try {
                trainer = Trainer.create(model, data, q.options(loss, dir.root(), id));
            } catch (TrainingException e) {
                throw ApiProblem.of(ProblemType.BAD_INPUT, "training request: " + e.getMessage(), e);
            }
            created = Files.createDirectories(dir.root());
            TrainingDirectory.Definition d = new TrainingDirectory.Definition(id, Instant.now(), q);
            ModelExport.write(model, dir.initial());
            dir.writeDefinition(d);
            TrainingDirectory.Status s = runningStatus(trainer.plan(), 0);
            dir.writeStatus(s);
            TrainingRun run = TrainingRun.of(d, dir, StepLog.open(dir.steps()), s, feed);
            launch(run, trainer);
            LOG.info("training {}: started, model {}, dataset {} ({} examples), {}", id, q.model(), q.dataset(), data.size(),
                    trainer.plan().describe());
            return run;
        } catch (RuntimeException | IOException e) {
            running.decrementAndGet();
            if (created != null) {
                deleteTree(created);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException((IOException) e);
        }
    }

    private boolean acquire() {
        while (true) {
            int n = running.get();
            if (n >= properties.maxRunning()) {
                return false;
            }
            if (running.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void launch(TrainingRun run, Trainer trainer) {
        runs.put(run.id(), run);
        run.onFinal(running::decrementAndGet);
        TrainingMetrics metrics = new TrainingMetrics(run.id());
        metrics.bindTo(registry);
        run.begin(trainer.withScheduler(scheduler).withListener(metrics.listener()));
    }

    private static TrainingDirectory.Status runningStatus(TrainingPlan plan, int restarts) {
        return new TrainingDirectory.Status(TrainingState.RUNNING, null, null, restarts, plan.stepLimit() == Long.MAX_VALUE ? null
                : plan.stepLimit(), plan.noiseMultiplier(), plan.privacy().accounted(), plan.privacy().describe(), Instant.now());
    }

    /** A training by id. */
    public Optional<TrainingRun> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(runs.get(id));
    }

    /** Every training, oldest first. */
    public List<TrainingRun> list() {
        return runs.values().stream().sorted(Comparator.comparing((TrainingRun r) -> r.definition().created()).thenComparing(TrainingRun::id))
                .toList();
    }

    /** Trainings running now. */
    public int running() {
        return running.get();
    }

    @Override
    public String usedBy(String datasetId) {
        return runs.values().stream().filter(r -> r.state() == TrainingState.RUNNING && r.definition().request().dataset().equals(datasetId))
                .map(r -> "the running training '" + r.id() + "'").findFirst().orElse(null);
    }

    private static String newId() {
        byte[] b = new byte[8];
        IDS.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Loads every training directory; resumes the running ones. */
    private void recoverAll() {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(p -> ID.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve("training.json"))).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        List<TrainingRun> loaded = new java.util.ArrayList<>();
        for (Path p : dirs) {
            try {
                loaded.add(recover(new TrainingDirectory(p)));
            } catch (RuntimeException e) {
                LOG.error("training directory {}: cannot be loaded, skipped: {}", p, e.getMessage(), e);
            }
        }
        if (!loaded.isEmpty()) {
            LOG.info("trainings: {} found in {}, {} resumed", loaded.size(), root, running.get());
        }
    }

    /** Loads one training; a running one is resumed from its last released checkpoint. */
    TrainingRun recover(TrainingDirectory dir) {
        TrainingDirectory.Definition d = dir.readDefinition();
        TrainingDirectory.Status s = dir.readStatus();
        StepLog log = StepLog.open(dir.steps());
        if (s.state().isFinal()) {
            TrainingRun run = TrainingRun.of(d, dir, log, s, feed);
            runs.put(run.id(), run);
            return run;
        }
        long logged = log.lastStep();
        long resumeAt = 0;
        for (long c : checkpointSteps(dir)) {
            if (c <= logged) {
                resumeAt = Math.max(resumeAt, c);
            }
        }
        log.truncateAfter(resumeAt);
        dropCheckpointsAfter(dir, resumeAt);
        running.incrementAndGet();
        TrainingRequest q = d.request();
        try {
            Model initial = ModelFile.load(dir.initial().resolve("model.json"), DataType.FLOAT);
            DatasetStore.Arrays arrays = datasets.find(q.dataset()).map(x -> datasets.load(q.dataset()))
                    .orElseThrow(() -> new TrainingException("dataset '" + q.dataset() + "' is no longer stored; the training cannot resume"));
            String loss = q.lossFor(TrainingData.intTargets(arrays));
            Dataset data = TrainingData.of(arrays, q.dataset(), initial, q.model(), loss);
            TrainingOptions o = q.options(loss, dir.root(), d.id());
            Trainer trainer = resumeAt > 0 ? Trainer.resume(data, o) : Trainer.create(initial, data, o);
            TrainingDirectory.Status now = runningStatus(trainer.plan(), s.restarts() + 1);
            dir.writeStatus(now);
            TrainingRun run = TrainingRun.of(d, dir, log, now, feed);
            launch(run, trainer);
            LOG.info("training {}: resumed at step {} (restart {}); the log had {} steps", d.id(), trainer.step(), now.restarts(), logged);
            return run;
        } catch (RuntimeException e) {
            running.decrementAndGet();
            String message = e instanceof TrainingException || e instanceof ModelException || e instanceof ApiProblem ? e.getMessage()
                    : "cannot resume: " + e;
            LOG.error("training {}: cannot resume at step {}: {}", d.id(), resumeAt, message, e);
            TrainingDirectory.Status failed = new TrainingDirectory.Status(TrainingState.FAILED, "failed", "cannot resume at step " + resumeAt
                    + ": " + message, s.restarts() + 1, s.plannedSteps(), s.noiseMultiplier(), s.accounted(), s.privacy(), Instant.now());
            dir.writeStatus(failed);
            TrainingRun run = TrainingRun.of(d, dir, log, failed, feed);
            runs.put(run.id(), run);
            return run;
        }
    }

    private static List<Long> checkpointSteps(TrainingDirectory dir) {
        return dir.checkpoints().checkpoints().stream().map(p -> {
            Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
            return m.matches() ? Long.parseLong(m.group(1)) : -1L;
        }).toList();
    }

    /** Deletes the checkpoints after {@code step} and leftovers of interrupted checkpoint writes. */
    private static void dropCheckpointsAfter(TrainingDirectory dir, long step) {
        Path cps = dir.checkpoints().root();
        if (!Files.isDirectory(cps)) {
            return;
        }
        try (Stream<Path> s = Files.list(cps)) {
            for (Path p : s.toList()) {
                Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
                if (m.matches() ? Long.parseLong(m.group(1)) > step : p.getFileName().toString().startsWith(".")) {
                    LOG.info("training {}: dropping {} (after the last released step {})", dir.root().getFileName(), p.getFileName(), step);
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + cps + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the trainings have not been stopped. */
    @Override
    public boolean isRunning() {
        return !stopping;
    }

    /** Nothing to do: the trainings start (and resume) when the manager is created. */
    @Override
    public void start() {
    }

    /**
     * Stops the trainings and ends their event streams before the web server's graceful shutdown
     * (a later phase: its requests then finish instead of waiting for open streams to time out).
     */
    @Override
    public void stop() {
        destroy();
    }

    /** Stops every training's stepping (their state stays: the next start resumes the running ones), then the scheduler. */
    @Override
    public synchronized void destroy() {
        if (stopping) {
            return;
        }
        stopping = true;
        for (TrainingRun r : runs.values()) {
            r.stop();
        }
        for (TrainingRun r : runs.values()) {
            try {
                r.stopped().block(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                LOG.warn("training {}: its step in progress did not end within 30 s at shutdown", r.id());
            }
        }
        scheduler.dispose();
        executor.shutdown();
    }

    /** Completes when every training's stream has stopped. */
    Mono<Void> allStopped() {
        return Mono.when(runs.values().stream().map(TrainingRun::stopped).toList());
    }
}
