package dev.jacflux.service.trainings;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jacflux.training.GradNormHistogram;
import java.time.Instant;

/**
 * The latest figures of one training, as {@link TrainingFeed} publishes them: after each released
 * step and at each change of state. Aggregates only (no weights, no data). Fields that do not apply
 * or are not known yet are {@code null} (e.g. {@code loss} before the first step, {@code epsilon}
 * for plain SGD, {@code clippedFraction} and {@code gradNormHistogram} for plain SGD or an empty
 * Poisson batch). JSON (Jackson) uses the snake-case names of the HTTP API.
 *
 * <pre>{@code
 * feed.updates().subscribe(u -> System.out.printf("%s step %d loss %.3f eps %.2f/%s%n",
 *         u.id(), u.step(), u.loss(), u.epsilon(), u.targetEpsilon()));
 * // {"id": "t-5f0c...", "state": "running", "model": "3f9a0c1d2e4b5a67", "dp": true, "step": 12, "planned_steps": 100,
 * //  "loss": 0.93, "clipped_fraction": 0.41, "epsilon": 0.62, "target_epsilon": 3.0, "delta": 1e-5, "max_grad_norm": 1.0,
 * //  "noise_multiplier": 1.1, "samples_per_second": 2100.5, "grad_norm_histogram": {"edges": [...], "counts": [...]},
 * //  "privacy": "private", "time": "2026-05-02T10:15:30Z"}
 * }</pre>
 *
 * @param id               the training's id
 * @param state            its state
 * @param model            the id of the stored model it started from
 * @param dp               DP-SGD (true) or plain SGD
 * @param step             steps released so far (0 before the first)
 * @param plannedSteps     the step limit from {@code steps} or {@code epochs}; null when only the target epsilon stops it
 * @param loss             mean loss of the latest step's batch (before its update)
 * @param clippedFraction  fraction of the latest batch whose gradient was clipped
 * @param epsilon          privacy spent so far at {@code delta}; null when not accounted
 * @param targetEpsilon    the target epsilon, if one was set
 * @param delta            the delta of {@code epsilon}
 * @param maxGradNorm      the clipping bound C (draw it on the histogram)
 * @param noiseMultiplier  the noise multiplier in effect (0 for plain SGD)
 * @param samplesPerSecond examples per second of the latest step
 * @param gradNormHistogram the latest step's per-example gradient norms, binned ({@link GradNormHistogram#DEFAULT_BINS} bins)
 * @param privacy          what the epsilon means ({@code "private"}, {@code "not private: seeded noise"}, ...)
 * @param time             when this update was made
 */
public record TrainingUpdate(String id, TrainingState state, String model, boolean dp, long step,
        @JsonProperty("planned_steps") Long plannedSteps, Double loss, @JsonProperty("clipped_fraction") Double clippedFraction,
        Double epsilon, @JsonProperty("target_epsilon") Double targetEpsilon, double delta, @JsonProperty("max_grad_norm") double maxGradNorm,
        @JsonProperty("noise_multiplier") double noiseMultiplier, @JsonProperty("samples_per_second") Double samplesPerSecond,
        @JsonProperty("grad_norm_histogram") GradNormHistogram gradNormHistogram, String privacy, Instant time) {
}
