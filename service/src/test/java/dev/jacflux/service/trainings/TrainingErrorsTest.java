package dev.jacflux.service.trainings;

import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TrainingClient;
import dev.jacflux.service.support.TrainingSets;
import dev.jacflux.training.Dataset;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Every error of the training endpoints, as problem+json: 400 naming the field, 404, 409, 415, 429. */
class TrainingErrorsTest extends ServiceTestBase {
    @Autowired
    TrainingManager manager;

    String model;
    String dataset;
    String small;
    String regression;

    @BeforeEach
    void upload() {
        TrainingClient t = new TrainingClient(client);
        model = upload(TrainingSets.mlpFiles(4, WORK));
        Dataset d = TrainingSets.data(100, 4);
        dataset = (String) t.uploadDataset(TrainingSets.xNpy(d), TrainingSets.yNpy(d)).get("id");
        Dataset s = TrainingSets.data(10, 5);
        small = (String) t.uploadDataset(TrainingSets.xNpy(s), TrainingSets.yNpy(s)).get("id");
        regression = (String) t.uploadDataset(TrainingSets.xNpy(s), dev.jacflux.model.io.Npz.toNpy(s.x())).get("id");
    }

    @AfterEach
    void cancelRunning() {
        for (TrainingRun r : manager.list()) {
            if (r.state() == TrainingState.RUNNING) {
                r.cancel();
            }
            r.stopped().block(Duration.ofMinutes(2));
        }
    }

    private WebTestClient.ResponseSpec post(String json) {
        return client.post().uri("/v1/trainings").contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    private String with(String extra) {
        return "{\"model\": \"" + model + "\", \"dataset\": \"" + dataset + "\"" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Test
    void badOptionsAre400NamingTheField() {
        assertProblem(post("[1, 2]"), 400, "bad-input", "the body must be a JSON object");
        assertProblem(post("{\"model\": "), 400, "bad-input", "malformed JSON at line 1");
        assertProblem(post(""), 400, "bad-input", "empty body");
        assertProblem(post("{\"dataset\": \"" + dataset + "\"}"), 400, "bad-input", "missing field 'model'");
        assertProblem(post("{\"model\": \"" + model + "\"}"), 400, "bad-input", "missing field 'dataset'");
        assertProblem(post(with("\"learning_rate\": 0.1")), 400, "bad-input", "unknown field 'learning_rate'", "lr");
        assertProblem(post(with("\"batch_size\": \"big\"")), 400, "bad-input", "field 'batch_size' must be an integer, got \"big\"");
        assertProblem(post(with("\"batch_size\": 0")), 400, "bad-input", "field 'batch_size' must be >= 1, got 0");
        assertProblem(post(with("\"noise_multiplier\": 1.0")), 400, "bad-input", "field 'noise_multiplier' needs \"dp\": true");
        assertProblem(post(with("\"dp\": true")), 400, "bad-input", "field 'dp'", "'noise_multiplier' or field 'target_epsilon'");
        assertProblem(post(with("\"dp\": true, \"noise_multiplier\": 1, \"target_epsilon\": 2")), 400, "bad-input",
                "'noise_multiplier' and field 'target_epsilon' exclude each other");
        assertProblem(post(with("\"dp\": true, \"noise_multiplier\": -1")), 400, "bad-input", "field 'noise_multiplier' must be a finite"
                + " number >= 0, got -1.0");
        assertProblem(post(with("\"dp\": \"yes\", \"noise_multiplier\": 1")), 400, "bad-input", "field 'dp' must be true or false");
        assertProblem(post(with("\"epochs\": 2, \"steps\": 3")), 400, "bad-input", "field 'epochs' and field 'steps' exclude each other");
        assertProblem(post(with("\"momentum\": 1")), 400, "bad-input", "field 'momentum' must lie in [0, 1), got 1.0");
        assertProblem(post(with("\"delta\": 0")), 400, "bad-input", "field 'delta' must lie in (0, 1)");
        assertProblem(post(with("\"lr\": 0")), 400, "bad-input", "field 'lr' must be a finite number > 0");
        assertProblem(post(with("\"max_grad_norm\": -2")), 400, "bad-input", "field 'max_grad_norm' must be a finite number > 0");
        assertProblem(post(with("\"loss\": \"hinge\"")), 400, "bad-input", "field 'loss' must be one of cross_entropy, mse, got \"hinge\"");
        assertProblem(post(with("\"sampling\": \"random\"")), 400, "bad-input", "field 'sampling' must be one of poisson, shuffle");
        assertProblem(post(with("\"checkpoint_every\": 0")), 400, "bad-input", "field 'checkpoint_every' must be >= 1");
        // options the library refuses together
        assertProblem(post(with("\"batch_size\": 500")), 400, "bad-input", "the batch size 500 exceeds the 100 examples");
        assertProblem(post(with("\"dp\": true, \"target_epsilon\": 2, \"sampling\": \"shuffle\"")), 400, "bad-input",
                "a target epsilon needs Poisson sampling");
        assertProblem(client.post().uri("/v1/trainings").contentType(MediaType.TEXT_PLAIN).bodyValue("{}").exchange(), 415,
                "unsupported-media-type", "application/json");
        assertNoTrainingDirectoriesLeft();
    }

    @Test
    void aDatasetThatDoesNotFitTheModelIs400() {
        String cnn = upload(dev.jacflux.service.support.TestModels.write(dev.jacflux.service.support.TestModels.cnn(), 8, WORK));
        assertProblem(post("{\"model\": \"" + cnn + "\", \"dataset\": \"" + dataset + "\"}"), 400, "bad-input", "dataset '" + dataset
                + "': x of shape [100, 20] does not match the input_shape [2, 6, 6] of model '" + cnn + "'");
        assertProblem(post("{\"model\": \"" + model + "\", \"dataset\": \"" + regression + "\"}"), 400, "bad-input", "dataset '"
                + regression + "': y of shape [10, 20] does not match the outputs [10, 4]");
        assertProblem(post("{\"model\": \"" + model + "\", \"dataset\": \"" + regression + "\", \"loss\": \"cross_entropy\"}"), 400,
                "bad-input", "cross_entropy expects integer class indices [N]");
        assertNoTrainingDirectoriesLeft();
    }

    @Test
    void unknownIdsAre404() {
        assertProblem(post("{\"model\": \"0123456789abcdef\", \"dataset\": \"" + dataset + "\"}"), 404, "not-found",
                "no model '0123456789abcdef'");
        assertProblem(post("{\"model\": \"" + model + "\", \"dataset\": \"0123456789abcdef\"}"), 404, "not-found",
                "no dataset '0123456789abcdef'");
        for (String path : new String[] {"/v1/trainings/feedfacefeedface", "/v1/trainings/feedfacefeedface/events",
            "/v1/trainings/feedfacefeedface/weights.npz"}) {
            assertProblem(client.get().uri(path).exchange(), 404, "not-found", "no training 'feedfacefeedface'");
        }
        assertProblem(client.delete().uri("/v1/trainings/feedfacefeedface").exchange(), 404, "not-found", "no training 'feedfacefeedface'");
    }

    /** One training runs at a time here (the default limit): a second is 429 with Retry-After; its dataset cannot be deleted (409). */
    @Test
    void tooManyTrainingsIs429AndAUsedDatasetCannotBeDeleted() {
        TrainingClient t = new TrainingClient(client);
        String id = t.start(with("\"steps\": 100000000, \"batch_size\": 10"));
        String detail = assertProblem(post(with("\"steps\": 3")), 429, "too-many-trainings", "1 training is running already",
                "jacflux.training.max-running");
        org.assertj.core.api.Assertions.assertThat(detail).contains("DELETE /v1/trainings/{id}");
        post(with("\"steps\": 3")).expectHeader().valueEquals("Retry-After", "60");
        assertProblem(client.delete().uri("/v1/datasets/{id}", dataset).exchange(), 409, "conflict",
                "dataset '" + dataset + "' is used by the running training '" + id + "'");
        assertProblem(client.get().uri("/v1/trainings/{id}/events", id).header("Last-Event-ID", "seven").exchange(), 400, "bad-parameter",
                "header 'Last-Event-ID' must be a step number >= 0", "'seven'");
        t.cancel(id);
        assertProblem(client.delete().uri("/v1/trainings/{id}", id).exchange(), 409, "conflict", "training '" + id + "' is cancelled already",
                "only a running training can be cancelled");
        // the slot is free again
        String second = t.start(with("\"steps\": 2, \"batch_size\": 10"));
        t.untilEnd(second, null);
        assertProblem(client.delete().uri("/v1/trainings/{id}", second).exchange(), 409, "conflict", "is completed already");
    }

    private void assertNoTrainingDirectoriesLeft() {
        try (var s = java.nio.file.Files.list(manager.directory())) {
            long dirs = s.filter(p -> manager.find(p.getFileName().toString()).isEmpty()).count();
            org.junit.jupiter.api.Assertions.assertEquals(0, dirs, "a refused training leaves no directory");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
