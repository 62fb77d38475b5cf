package dev.jacflux.service.trainings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.io.Npz;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import dev.jacflux.service.support.TrainingClient;
import dev.jacflux.service.support.TrainingSets;
import dev.jacflux.training.Dataset;
import dev.jacflux.training.StepResult;
import dev.jacflux.training.Trainer;
import dev.jacflux.training.TrainingOptions;
import dev.jacflux.training.examples.SyntheticClassification;
import dev.jacflux.training.privacy.RdpAccountant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.codec.ServerSentEvent;

/**
 * The training endpoints over HTTP: a seeded training equals the library's, event streams resume
 * with Last-Event-ID without gaps or repeats, cancelling stops the steps, the weights are those of
 * the step they name.
 */
class TrainingEndpointsTest extends ServiceTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    TrainingManager manager;

    @Autowired
    TrainingUpdates hub;

    TrainingClient trainings;
    String model;
    TestModels.Files2 modelFiles;
    Dataset train;
    String dataset;

    @BeforeEach
    void upload() {
        trainings = new TrainingClient(client);
        modelFiles = TrainingSets.mlpFiles(3, WORK);
        model = upload(modelFiles);
        train = TrainingSets.data(1000, 1);
        dataset = (String) trainings.uploadDataset(TrainingSets.xNpy(train), TrainingSets.yNpy(train)).get("id");
    }

    /** Leaves no training running for the next test (the limit is one). */
    @AfterEach
    void cancelRunning() {
        for (TrainingRun r : manager.list()) {
            if (r.state() == TrainingState.RUNNING) {
                r.cancel();
            }
            r.stopped().block(Duration.ofMinutes(2));
        }
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(s, e);
        }
    }

    private static List<Long> ids(List<ServerSentEvent<String>> events) {
        List<Long> out = new ArrayList<>();
        for (ServerSentEvent<String> e : events) {
            if (e.event() == null) {
                out.add(Long.parseLong(e.id()));
            }
        }
        return out;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    private static double maxDiff(Map<String, INDArray> a, Map<String, INDArray> b) {
        assertEquals(a.keySet(), b.keySet());
        double m = 0;
        for (String k : a.keySet()) {
            m = Math.max(m, a.get(k).castTo(DataType.DOUBLE).sub(b.get(k).castTo(DataType.DOUBLE)).amaxNumber().doubleValue());
        }
        return m;
    }

    /**
     * A seeded DP training over HTTP ends with exactly the weights, the epsilon and the step records
     * of the library's trainer given the same options, and reaches the same held-out accuracy (at
     * least 0.85; chance is 0.25). Its event stream is the steps.ndjson, line for line.
     */
    @Test
    void seededTrainingOverHttpEqualsTheLibrary() throws Exception {
        Dataset train2000 = TrainingSets.data(2000, 1);
        String data2000 = (String) trainings.uploadDataset(TrainingSets.xNpy(train2000), TrainingSets.yNpy(train2000)).get("id");
        String id = trainings.start("{\"model\": \"" + model + "\", \"dataset\": \"" + data2000 + "\", \"dp\": true, \"noise_multiplier\": 1.0,"
                + " \"max_grad_norm\": 1.0, \"batch_size\": 100, \"epochs\": 5, \"lr\": 1.0, \"seed\": 11, \"checkpoint_every\": 7}");
        List<ServerSentEvent<String>> events = trainings.untilEnd(id, null);
        assertEquals(range(1, 100), ids(events), "5 epochs at q = 100/2000 = 0.05, every step once");
        JsonNode end = json(events.get(events.size() - 1).data());
        assertEquals("completed", end.get("state").asText());
        assertEquals("epochs", end.get("stop_reason").asText());
        assertEquals(100, end.get("step").asLong());

        Trainer lib = Trainer.create(TrainingSets.load(modelFiles), train2000, TrainingOptions.privateTraining(Loss.crossEntropy())
                .withNoiseMultiplier(1.0).withClipNorm(1.0).withBatchSize(100).withEpochs(5).withLearningRate(1.0).withSeed(11L));
        List<StepResult> libSteps = lib.steps().collectList().block();
        byte[] npz = trainings.weights(id).expectHeader().valueEquals(TrainingRoutes.STEP_HEADER, "100")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertNotNull(npz);
        Map<String, INDArray> http = Npz.read(npz, "weights.npz");
        assertEquals(0, maxDiff(http, lib.model().stateDict()), 0, "the service trains exactly as the library");

        Dataset test = TrainingSets.data(1000, 2);
        Model served = TrainingSets.load(modelFiles).withParameters(lib.model().layout().names().stream().map(http::get).toList());
        double accuracy = SyntheticClassification.accuracy(served.forward(test.x()), test.y());
        assertEquals(SyntheticClassification.accuracy(lib.model().forward(test.x()), test.y()), accuracy, 0);
        assertTrue(accuracy >= 0.85, "held-out accuracy " + accuracy);

        List<String> log = Files.readAllLines(manager.directory().resolve(id).resolve("steps.ndjson"), StandardCharsets.UTF_8);
        assertEquals(100, log.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(log.get(i), events.get(i).data(), "event " + (i + 1) + " is the log's line");
            StepResult got = StepResult.parse(log.get(i));
            StepResult want = libSteps.get(i);
            assertEquals(want.step(), got.step());
            assertEquals(want.batchSize(), got.batchSize());
            assertEquals(want.loss(), got.loss(), 0);
            assertEquals(want.clippedFraction(), got.clippedFraction(), 0);
            assertEquals(want.epsilon(), got.epsilon(), 0);
            assertEquals(want.gradNormHistogram(), got.gradNormHistogram());
        }
        Map<String, Object> s = trainings.status(id);
        assertEquals("completed", s.get("state"));
        assertEquals(100, ((Number) s.get("step")).longValue());
        assertEquals(lib.epsilon(), ((Number) s.get("epsilon")).doubleValue(), 0);
        assertEquals(100, ((Number) s.get("planned_steps")).longValue());
        assertEquals("not private: seeded noise", s.get("privacy"));
        // the final files, as `jacflux train` writes them
        assertEquals(0, maxDiff(Npz.read(manager.directory().resolve(id).resolve("weights.npz")), http), 0);
    }

    /**
     * While a long training runs: the first 7 events, a reconnection with Last-Event-ID 7 gives 8..17,
     * DELETE cancels, and a reconnection with Last-Event-ID 17 gives exactly 18..s and the end
     * event, s being the cancelled training's step; nothing is released after the cancel. Epsilon at
     * every step is the accountant's for that many steps.
     */
    @Test
    void lastEventIdResumesWithoutGapsOrRepeatsAndDeleteCancels() throws Exception {
        String id = trainings.start("{\"model\": \"" + model + "\", \"dataset\": \"" + dataset + "\", \"dp\": true, \"noise_multiplier\": 1.3,"
                + " \"batch_size\": 20, \"steps\": 100000000, \"checkpoint_every\": 1}");
        List<ServerSentEvent<String>> first = trainings.take(id, null, 7);
        assertEquals(range(1, 7), ids(first));
        List<ServerSentEvent<String>> second = trainings.take(id, 7L, 10);
        assertEquals(range(8, 17), ids(second));

        Map<String, Object> cancelled = trainings.cancel(id);
        assertEquals("cancelled", cancelled.get("state"));
        assertEquals("cancelled", cancelled.get("stop_reason"));
        long s = ((Number) cancelled.get("step")).longValue();
        assertTrue(s >= 17, "released " + s);

        List<ServerSentEvent<String>> rest = trainings.untilEnd(id, 17L);
        assertEquals(range(18, s), ids(rest), "exactly the missing steps, no repeats, nothing after the cancel");
        JsonNode end = json(rest.get(rest.size() - 1).data());
        assertEquals("end", rest.get(rest.size() - 1).event());
        assertEquals("cancelled", end.get("state").asText());
        assertEquals(s, end.get("step").asLong());

        manager.find(id).orElseThrow().stopped().block(Duration.ofMinutes(2));   // the trainer's thread has stopped
        Path dir = manager.directory().resolve(id);
        assertEquals(s, Files.readAllLines(dir.resolve("steps.ndjson")).size(), "no step logged after the cancel");
        assertEquals(s, ((Number) trainings.status(id).get("step")).longValue());
        assertEquals(range(1, s), ids(trainings.untilEnd(id, null)));

        List<ServerSentEvent<String>> all = new ArrayList<>(first);
        all.addAll(second);
        all.addAll(rest.subList(0, rest.size() - 1));
        double q = 20 / 1000.0;
        for (ServerSentEvent<String> e : all) {
            StepResult r = StepResult.parse(e.data());
            assertEquals(Long.parseLong(e.id()), r.step());
            assertEquals(RdpAccountant.epsilon(1.3, q, r.step(), 1e-5), r.epsilon(), 1e-12, "epsilon after " + r.step() + " steps");
            assertEquals("private", r.privacy());
            assertEquals(r.batchSize(), r.gradNormHistogram() == null ? 0 : r.gradNormHistogram().total());
        }
        // the weights of a cancelled training: those of its last released step
        trainings.weights(id).expectHeader().valueEquals(TrainingRoutes.STEP_HEADER, Long.toString(s));
        assertProblem(client.delete().uri("/v1/trainings/{id}", id).exchange(), 409, "conflict", "cancelled already");
    }

    /**
     * The weights of a running seeded training are those the library's trainer has after the step
     * named by {@code JacFlux-Step}; the feed's latest update names the same training, running.
     */
    @Test
    void weightsOfARunningTrainingAreThoseOfTheStepTheyName() {
        String id = trainings.start("{\"model\": \"" + model + "\", \"dataset\": \"" + dataset + "\", \"dp\": true, \"noise_multiplier\": 0.9,"
                + " \"batch_size\": 40, \"steps\": 100000000, \"lr\": 0.5, \"seed\": 5, \"checkpoint_every\": 3}");
        List<ServerSentEvent<String>> some = trainings.take(id, null, 9);
        assertEquals(range(1, 9), ids(some), "released in groups of 3 as their checkpoint is written");
        var result = trainings.weights(id).expectBody(byte[].class).returnResult();
        long step = Long.parseLong(result.getResponseHeaders().getFirst(TrainingRoutes.STEP_HEADER));
        assertTrue(step >= 9 && step % 3 == 0, "released at a checkpoint: " + step);
        Trainer lib = Trainer.create(TrainingSets.load(modelFiles), train, TrainingOptions.privateTraining(Loss.crossEntropy())
                .withNoiseMultiplier(0.9).withBatchSize(40).withSteps(step).withLearningRate(0.5).withSeed(5L));
        lib.steps().blockLast();
        assertEquals(0, maxDiff(Npz.read(result.getResponseBody(), "weights.npz"), lib.model().stateDict()), 0);
        TrainingUpdate u = hub.latest(id);
        assertNotNull(u);
        assertEquals(TrainingState.RUNNING, u.state());
        assertEquals(model, u.model());
        assertTrue(u.dp());
        assertEquals(1.0, u.maxGradNorm(), 0);
        assertNull(u.targetEpsilon());
        assertTrue(u.step() >= step);
        assertNotNull(u.gradNormHistogram());
    }
}
