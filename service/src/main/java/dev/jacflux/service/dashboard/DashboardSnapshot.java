package dev.jacflux.service.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The first event of the dashboard's stream ({@code event: snapshot}): everything the page needs to
 * draw itself, the history of the live charts included. Later events are {@link DashboardTick}s.
 *
 * @param seq             sequence number of the latest tick included (ticks with a number up to it are already in)
 * @param intervalSeconds seconds between two points
 * @param historySeconds  seconds of history the charts show
 * @param tokenRequired   whether the stream needs the token ({@code jacflux.dashboard.public=false})
 * @param points          the live points, oldest first
 * @param totals          the pipelines' totals now
 * @param trainings       the trainings shown, each with its step history
 * @param saliency        the saliency map of the latest batch-Jacobian request on an image model, or null
 */
public record DashboardSnapshot(long seq, @JsonProperty("interval_seconds") double intervalSeconds,
        @JsonProperty("history_seconds") double historySeconds, @JsonProperty("token_required") boolean tokenRequired,
        List<LivePoint> points, Totals totals, List<TrainingPanel> trainings, SaliencyMap saliency) {
}
