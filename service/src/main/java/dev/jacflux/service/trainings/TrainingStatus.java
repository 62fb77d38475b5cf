package dev.jacflux.service.trainings;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;

/**
 * What {@code GET /v1/trainings/{id}} answers (and each element of {@code GET /v1/trainings}): the
 * state, the latest released step's figures and the options. Figures that do not apply or are not
 * known yet are {@code null}.
 *
 * <pre>{@code
 * {"id": "5f0c2a9e41b7d388", "state": "running", "model": "3f9a0c1d2e4b5a67", "dataset": "9c41d07be2f05a13", "dp": true,
 *  "step": 40, "planned_steps": 100, "epoch": 2.0, "loss": 0.61, "clipped_fraction": 0.38, "epsilon": 2.93,
 *  "target_epsilon": null, "delta": 1e-5, "noise_multiplier": 1.0, "max_grad_norm": 1.0, "privacy": "private",
 *  "stop_reason": null, "error": null, "restarts": 0, "created": "...", "updated": "...",
 *  "options": {"model": "...", "dataset": "...", "dp": true, "noise_multiplier": 1.0, ...},
 *  "events": "/v1/trainings/5f0c2a9e41b7d388/events", "weights": "/v1/trainings/5f0c2a9e41b7d388/weights.npz"}
 * }</pre>
 *
 * @param id              the training's id
 * @param state           running, completed, cancelled or failed
 * @param model           the stored model it started from
 * @param dataset         the stored dataset it trains on
 * @param dp              DP-SGD or plain SGD
 * @param step            steps released (logged in steps.ndjson, sent as events, in the weights)
 * @param plannedSteps    the step limit from steps or epochs (null: only the target epsilon stops it)
 * @param epoch           passes over the data so far
 * @param loss            the latest step's mean loss
 * @param clippedFraction the latest step's fraction of clipped examples
 * @param epsilon         privacy spent so far at delta (null when not accounted)
 * @param targetEpsilon   the target epsilon, if set
 * @param delta           the delta of epsilon
 * @param noiseMultiplier the noise multiplier in effect (calibrated from the target, or given)
 * @param maxGradNorm     the clip norm
 * @param privacy         what the epsilon means
 * @param stopReason      why it ended: steps, epochs, target_epsilon, cancelled, failed (null while running)
 * @param error           the failure (one line), if failed
 * @param restarts        how often a restarted service resumed it from its last checkpoint
 * @param created         when it was started
 * @param updated         when its state last changed
 * @param options         the request with every default filled in
 * @param events          the URL path of its event stream
 * @param weights         the URL path of its latest weights
 */
public record TrainingStatus(String id, TrainingState state, String model, String dataset, boolean dp, long step,
        @JsonProperty("planned_steps") Long plannedSteps, Double epoch, Double loss, @JsonProperty("clipped_fraction") Double clippedFraction,
        Double epsilon, @JsonProperty("target_epsilon") Double targetEpsilon, double delta, @JsonProperty("noise_multiplier") double noiseMultiplier,
        @JsonProperty("max_grad_norm") double maxGradNorm, String privacy, @JsonProperty("stop_reason") String stopReason, String error,
        int restarts, Instant created, Instant updated, Map<String, Object> options, String events, String weights) {
}
