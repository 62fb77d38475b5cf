package dev.jacflux.service.dashboard;

import dev.jacflux.service.trainings.TrainingUpdate;
import java.util.List;

/**
 * One training as the dashboard shows it: its latest update and the history of its steps.
 *
 * <pre>{@code
 * {"latest": {"id": "t-5f0c", "state": "running", "step": 12, "loss": 0.93, "epsilon": 0.62, "target_epsilon": 3.0, ...},
 *  "history": [[1, 2.31, 0.95, 0.11], [2, 2.20, 0.91, 0.16], ...]}
 * }</pre>
 *
 * @param latest  the latest update (the HTTP API's JSON fields)
 * @param history steps as {@code [step, loss, clipped_fraction, epsilon]} (nulls where not known), oldest first; in a snapshot,
 *                at most {@link TrainingBoard#MAX_HISTORY} points thinned evenly; in a tick, the steps since the previous tick
 */
public record TrainingPanel(TrainingUpdate latest, List<List<Number>> history) {
}
