package dev.jacflux.service.trainings;

import java.util.EnumMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The trainings as a health component ({@code trainings}): UP, with the number of trainings in each
 * state and the running limit.
 *
 * <pre>{@code
 * "trainings": {"status": "UP", "details": {"running": 1, "completed": 3, "cancelled": 0, "failed": 0, "maxRunning": 1}}
 * }</pre>
 */
public final class TrainingsHealthIndicator implements HealthIndicator {
    private final TrainingManager manager;
    private final TrainingProperties properties;

    /** An indicator of {@code manager}. */
    public TrainingsHealthIndicator(TrainingManager manager, TrainingProperties properties) {
        this.manager = manager;
        this.properties = properties;
    }

    @Override
    public Health health() {
        Map<TrainingState, Integer> counts = new EnumMap<>(TrainingState.class);
        for (TrainingState s : TrainingState.values()) {
            counts.put(s, 0);
        }
        for (TrainingRun r : manager.list()) {
            counts.merge(r.state(), 1, Integer::sum);
        }
        Health.Builder b = Health.up();
        counts.forEach((s, n) -> b.withDetail(s.wire(), n));
        return b.withDetail("maxRunning", properties.maxRunning()).build();
    }
}
