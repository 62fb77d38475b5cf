package dev.jacflux.service.dashboard;

import java.util.List;

/**
 * One event of the dashboard's stream after the snapshot ({@code event: tick}), once per
 * {@code jacflux.dashboard.interval}: the new point, the totals, and what changed since the
 * previous tick.
 *
 * <pre>{@code
 * id:13
 * event:tick
 * data:{"seq":13,"point":{"t":1764603301000,"seconds":1.0,"samples_per_second":512.0,...},"totals":{...},"trainings":[],"saliency":null}
 * }</pre>
 *
 * @param seq       sequence number (consecutive; the page ignores ticks already in its snapshot)
 * @param point     the new point of the live charts
 * @param totals    the pipelines' totals now
 * @param trainings the trainings that changed, each with its latest update and only the history points added since
 * @param saliency  the saliency map if it changed, else null
 */
public record DashboardTick(long seq, LivePoint point, Totals totals, List<TrainingPanel> trainings, SaliencyMap saliency) {
}
