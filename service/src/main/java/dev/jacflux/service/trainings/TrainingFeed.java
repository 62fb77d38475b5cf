package dev.jacflux.service.trainings;

import java.util.List;
import reactor.core.publisher.Flux;

/**
 * The live figures of the service's trainings, for dashboards: one {@link TrainingUpdate} per
 * released step (after its record is durably in the training's {@code steps.ndjson}) and per change
 * of state. A Spring bean of the service; inject it.
 *
 * <ul>
 *   <li>{@link #updates()} is hot: a subscriber first gets the latest update of each known training
 *       (including finished ones, and those found on disk at start-up), in the order they were made,
 *       then every new update. Updates of one training arrive in order; nothing is repeated. A
 *       subscriber that falls more than {@value #BUFFER} updates behind loses its oldest ones, never
 *       the newest.</li>
 *   <li>{@link #latest()}: the latest update of each known training now, oldest training first.</li>
 * </ul>
 * Subscribers are called on a thread of their own, never on a training's thread.
 *
 * <pre>{@code
 * @Bean
 * RouterFunction<ServerResponse> dashboardEvents(TrainingFeed feed) {
 *     return RouterFunctions.route().GET("/v1/dashboard/trainings", r -> ServerResponse.ok()
 *             .contentType(MediaType.TEXT_EVENT_STREAM).body(feed.updates(), TrainingUpdate.class)).build();
 * }
 * }</pre>
 */
public interface TrainingFeed {
    /** Updates a slow subscriber may lag behind before its oldest are dropped. */
    int BUFFER = 4096;

    /** The latest update of each known training, then every new one (hot, never completes). */
    Flux<TrainingUpdate> updates();

    /** The latest update of each known training, oldest training first. */
    List<TrainingUpdate> latest();
}
