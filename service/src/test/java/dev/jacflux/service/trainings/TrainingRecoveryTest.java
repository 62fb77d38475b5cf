package dev.jacflux.service.trainings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.model.Loss;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.service.datasets.DatasetStore;
import dev.jacflux.service.models.ModelStore;
import dev.jacflux.service.support.TestModels;
import dev.jacflux.service.support.TrainingSets;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.StepResult;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.scheduler.Schedulers;

/**
 * A service stopped mid-training leaves its files in any state a crash can: a torn last line, log
 * lines and a checkpoint beyond the last released step. A new manager on the same directory resumes
 * from the last released checkpoint, drops what was never released, and (seeded) continues exactly as
 * an uninterrupted run; the event stream after restart has every step once.
 */
class TrainingRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private TrainingManager manager() {
        return new TrainingManager(data, new TrainingProperties(1, 10), new ModelStore(data), new DatasetStore(data),
                new TrainingUpdates(Schedulers.boundedElastic()), new SimpleMeterRegistry());
    }

    private static List<Long> steps(List<ServerSentEvent<String>> events) {
        List<Long> out = new ArrayList<>();
        for (ServerSentEvent<String> e : events) {
            if (e.event() == null) {
                out.add(Long.parseLong(e.id()));
            }
        }
        return out;
    }

    @Test
    void aCrashedTrainingResumesFromItsLastReleasedCheckpointAndEndsAsAnUninterruptedOne() throws Exception {
        TestModels.Files2 files = TrainingSets.mlpFiles(6, data.resolve("work"));
        String model = new ModelStore(data).save(files.json(), files.weights()).model().id();
        Dataset train = TrainingSets.data(300, 7);
        DatasetStore ds = new DatasetStore(data);
        Path in = ds.incoming();
        Files.write(in.resolve("x.npy"), TrainingSets.xNpy(train));
        Files.write(in.resolve("y.npy"), TrainingSets.yNpy(train));
        String dataset = ds.save(in).dataset().id();
        TrainingRequest q = TrainingRequest.parse(JSON.readTree("{\"model\": \"" + model + "\", \"dataset\": \"" + dataset
                + "\", \"dp\": true, \"noise_multiplier\": 1.1, \"batch_size\": 30, \"steps\": 60, \"lr\": 0.5, \"seed\": 3,"
                + " \"checkpoint_every\": 5}"), 10);

        // first service: stopped (as a shutdown would, on the training's thread, so before its next step) once 20 steps are released
        TrainingManager first = manager();
        TrainingRun run = first.start(q);
        String id = run.id();
        run.releases().filter(s -> s >= 20).take(1).subscribe(s -> run.stop());
        run.stopped().block(Duration.ofMinutes(2));
        first.destroy();
        TrainingDirectory dir = new TrainingDirectory(first.directory().resolve(id));
        assertEquals(TrainingState.RUNNING, dir.readStatus().state(), "a stopped service leaves its training running");
        long released = StepLog.open(dir.steps()).lastStep();
        assertTrue(released >= 20 && released % 5 == 0 && released < 60, "released " + released);
        List<String> releasedLines = Files.readAllLines(dir.steps(), StandardCharsets.UTF_8);

        // what a crash can leave: a checkpoint beyond the log (written, never released) holding other weights,
        // complete lines of unreleased steps, and a torn line
        Path cps = dir.checkpoints().root();
        try (Stream<Path> s = Files.list(cps)) {
            s.filter(p -> p.getFileName().toString().compareTo(String.format("step-%08d", released)) > 0).forEach(TrainingRecoveryTest::delete);
        }
        Path fake = cps.resolve(String.format("step-%08d", released + 5));
        copy(cps.resolve(String.format("step-%08d", released)), fake);
        Files.writeString(fake.resolve("state.json"), Files.readString(fake.resolve("state.json"))
                .replace("\"step\" : " + released + ",", "\"step\" : " + (released + 5) + ","));
        StepResult lastReleased = StepResult.parse(releasedLines.get(releasedLines.size() - 1));
        StringBuilder junk = new StringBuilder();
        for (long s = released + 1; s <= released + 2; s++) {
            junk.append(new StepResult(s, 0, 1, 999, 0, null, 99, 1e-5, 1.1, 1, 1, "never released").toJson()).append('\n');
        }
        junk.append("{\"step\": ").append(released + 3).append(", \"epoch\": 0.");
        Files.writeString(dir.steps(), junk, StandardOpenOption.APPEND);
        Files.createDirectories(cps.resolve(".step-" + (released + 5) + ".abc.tmp"));

        // second service on the same directory
        TrainingManager second = manager();
        TrainingRun resumed = second.find(id).orElseThrow();
        assertEquals(TrainingState.RUNNING, resumed.state());
        List<ServerSentEvent<String>> after = TrainingEvents.of(resumed, released).collectList().block(Duration.ofMinutes(2));
        List<Long> expected = new ArrayList<>();
        for (long s = released + 1; s <= 60; s++) {
            expected.add(s);
        }
        assertEquals(expected, steps(after), "every step after the last released one, once, none of the unreleased junk");
        assertEquals("end", after.get(after.size() - 1).event());
        assertEquals(1, dir.readStatus().restarts());
        assertEquals(TrainingState.COMPLETED, dir.readStatus().state());

        List<String> log = Files.readAllLines(dir.steps(), StandardCharsets.UTF_8);
        assertEquals(60, log.size());
        assertEquals(releasedLines, log.subList(0, releasedLines.size()), "released lines are never rewritten");
        assertFalse(String.join("\n", log).contains("never released"));
        List<ServerSentEvent<String>> all = TrainingEvents.of(resumed, 0).collectList().block(Duration.ofMinutes(2));
        assertEquals(60, steps(all).size());
        assertTrue(StepResult.parse(log.get((int) released)).epsilon() > lastReleased.epsilon(), "epsilon continues");

        // seeded: the interrupted, crashed and resumed run ends bit for bit as an uninterrupted one
        Trainer lib = Trainer.create(ModelFile.load(files.jsonPath(), DataType.FLOAT), train, TrainingOptions.privateTraining(Loss.crossEntropy())
                .withNoiseMultiplier(1.1).withBatchSize(30).withSteps(60).withLearningRate(0.5).withSeed(3L));
        List<StepResult> libSteps = lib.steps().collectList().block();
        Map<String, INDArray> served = Npz.read(dir.finalWeights());
        Map<String, INDArray> want = lib.model().stateDict();
        for (String k : want.keySet()) {
            assertEquals(0, served.get(k).castTo(DataType.DOUBLE).sub(want.get(k).castTo(DataType.DOUBLE)).amaxNumber().doubleValue(), 0, k);
        }
        for (int i = 0; i < 60; i++) {
            StepResult r = StepResult.parse(log.get(i));
            assertEquals(libSteps.get(i).loss(), r.loss(), 0, "step " + (i + 1));
            assertEquals(libSteps.get(i).epsilon(), r.epsilon(), 0, "step " + (i + 1));
        }
        second.destroy();
    }

    /** A training whose dataset is gone cannot resume: it is failed, with a message, and the others still load. */
    @Test
    void aTrainingThatCannotResumeIsFailedNamingWhy() throws Exception {
        TestModels.Files2 files = TrainingSets.mlpFiles(8, data.resolve("work"));
        String model = new ModelStore(data).save(files.json(), files.weights()).model().id();
        Dataset train = TrainingSets.data(50, 8);
        DatasetStore ds = new DatasetStore(data);
        Path in = ds.incoming();
        Files.write(in.resolve("x.npy"), TrainingSets.xNpy(train));
        Files.write(in.resolve("y.npy"), TrainingSets.yNpy(train));
        String dataset = ds.save(in).dataset().id();
        TrainingManager first = manager();
        TrainingRun run = first.start(TrainingRequest.parse(JSON.readTree("{\"model\": \"" + model + "\", \"dataset\": \"" + dataset
                + "\", \"steps\": 100000000, \"batch_size\": 10, \"checkpoint_every\": 2}"), 10));
        run.releases().filter(s -> s >= 4).take(1).subscribe(s -> run.stop());
        run.stopped().block(Duration.ofMinutes(2));
        first.destroy();
        assertTrue(ds.delete(dataset));
        TrainingManager second = manager();
        TrainingRun failed = second.find(run.id()).orElseThrow();
        assertEquals(TrainingState.FAILED, failed.state());
        TrainingStatus s = failed.status();
        assertTrue(s.error().contains("dataset '" + dataset + "' is no longer stored"), s.error());
        assertTrue(s.error().startsWith("cannot resume at step "), s.error());
        assertEquals(0, second.running());
        second.destroy();
    }

    /**
     * Stopping the service ends the open event streams at once, without an end event (clients then
     * reconnect with their Last-Event-ID), and leaves the training running on disk.
     */
    @Test
    void stoppingTheServiceEndsEventStreamsWithoutAnEndEvent() throws Exception {
        TestModels.Files2 files = TrainingSets.mlpFiles(9, data.resolve("work"));
        String model = new ModelStore(data).save(files.json(), files.weights()).model().id();
        Dataset train = TrainingSets.data(50, 9);
        DatasetStore ds = new DatasetStore(data);
        Path in = ds.incoming();
        Files.write(in.resolve("x.npy"), TrainingSets.xNpy(train));
        Files.write(in.resolve("y.npy"), TrainingSets.yNpy(train));
        String dataset = ds.save(in).dataset().id();
        TrainingManager m = manager();
        TrainingRun run = m.start(TrainingRequest.parse(JSON.readTree("{\"model\": \"" + model + "\", \"dataset\": \"" + dataset
                + "\", \"steps\": 100000000, \"batch_size\": 10, \"checkpoint_every\": 1}"), 10));
        java.util.concurrent.CountDownLatch three = new java.util.concurrent.CountDownLatch(3);
        reactor.core.publisher.Mono<List<ServerSentEvent<String>>> events = TrainingEvents.of(run, 0).doOnNext(e -> three.countDown())
                .collectList().cache();
        events.subscribe();
        assertTrue(three.await(2, java.util.concurrent.TimeUnit.MINUTES));
        m.stop();
        List<ServerSentEvent<String>> got = events.block(Duration.ofMinutes(1));
        assertTrue(got.size() >= 3);
        assertTrue(got.stream().allMatch(e -> e.event() == null), "no end event: the training has not ended");
        assertEquals(TrainingState.RUNNING, new TrainingDirectory(m.directory().resolve(run.id())).readStatus().state());
        assertFalse(m.isRunning());
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
