package dev.jacflux.service.trainings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jacflux.config.ConfigException;
import dev.jacflux.service.JacFluxServiceApplication;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TrainingClient;
import dev.jacflux.service.support.TrainingSets;
import dev.jacflux.training.Dataset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;

/** A training's meters in Prometheus, the trainings health component, and the properties' checks. */
class TrainingObservabilityTest extends ServiceTestBase {

    @Test
    void prometheusAndHealthShowTheTrainings() {
        TrainingClient t = new TrainingClient(client);
        String model = upload(TrainingSets.mlpFiles(12, WORK));
        Dataset d = TrainingSets.data(200, 12);
        String dataset = (String) t.uploadDataset(TrainingSets.xNpy(d), TrainingSets.yNpy(d)).get("id");
        String id = t.start("{\"model\": \"" + model + "\", \"dataset\": \"" + dataset + "\", \"dp\": true, \"noise_multiplier\": 1.0,"
                + " \"batch_size\": 20, \"steps\": 12, \"checkpoint_every\": 4}");
        t.untilEnd(id, null);
        String text = anonymous.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Matcher steps = Pattern.compile("jacflux_training_steps_total\\{training=\"" + id + "\"} (\\S+)").matcher(text);
        assertThat(steps.find()).as(text).isTrue();
        assertEquals(12, Double.parseDouble(steps.group(1)), 0, "steps computed");
        assertThat(text).containsPattern("jacflux_training_epsilon\\{training=\"" + id + "\"} \\d")
                .containsPattern("jacflux_service_trainings_running \\d")
                .contains("jacflux_service_rejected_trainings_total");
        String health = anonymous.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(health).containsPattern("\"trainings\":\\{\"details\":\\{[^}]*\"completed\":[1-9]");
    }

    @Test
    void invalidPropertiesNameTheirKey() {
        assertEquals("jacflux.training.max-running", assertThrows(ConfigException.class, () -> new TrainingProperties(0, 10)).key());
        assertEquals("jacflux.training.checkpoint-every", assertThrows(ConfigException.class, () -> new TrainingProperties(1, 0)).key());
        SpringApplication app = new SpringApplication(JacFluxServiceApplication.class);
        Throwable e = assertThrows(Throwable.class, () -> app.run("--server.port=0", "--jacflux.training.max-running=0",
                "--jacflux.security.token=t", "--jacflux.data-dir=" + WORK.resolve("props")));
        StringBuilder chain = new StringBuilder();
        for (Throwable x = e; x != null; x = x.getCause()) {
            chain.append(x.getMessage()).append('\n');
        }
        assertThat(chain.toString()).contains("jacflux.training.max-running must be at least 1, got 0");
    }
}
