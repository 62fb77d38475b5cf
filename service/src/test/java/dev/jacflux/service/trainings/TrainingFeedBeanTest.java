package dev.jacflux.service.trainings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.training.GradNormHistogram;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

/** The feed is a bean of the service, and its updates serialise with the HTTP API's snake-case names. */
class TrainingFeedBeanTest extends ServiceTestBase {
    @Autowired
    TrainingFeed feed;

    @Autowired
    TrainingUpdates hub;

    @Autowired
    JsonMapper json;

    @Test
    void feedIsTheHubTrainingsPublishTo() {
        assertSame(hub, feed);
    }

    @Test
    @SuppressWarnings("unchecked")
    void updateJsonHasSnakeCaseFieldsAndNullsForUnknowns() {
        TrainingUpdate u = new TrainingUpdate("t1", TrainingState.RUNNING, "0123456789abcdef", true, 3, null, 0.5, null, 0.25, null, 1e-5, 1.0,
                1.1, 250.0, GradNormHistogram.of(new double[] {0.5, 1.5}, 1.0, 2), "private", Instant.parse("2026-01-02T03:04:05Z"));
        Map<String, Object> m = json.readValue(json.writeValueAsString(u), Map.class);
        assertEquals(List.of("id", "state", "model", "dp", "step", "planned_steps", "loss", "clipped_fraction", "epsilon", "target_epsilon",
                "delta", "max_grad_norm", "noise_multiplier", "samples_per_second", "grad_norm_histogram", "privacy", "time"),
                List.copyOf(m.keySet()));
        assertEquals("running", m.get("state"));
        assertTrue(m.containsKey("target_epsilon") && m.get("target_epsilon") == null);
        Map<String, Object> h = (Map<String, Object>) m.get("grad_norm_histogram");
        assertEquals(List.of(0.0, 0.75, 1.5), h.get("edges"));
        assertEquals(List.of(1, 1), h.get("counts"));
    }
}
