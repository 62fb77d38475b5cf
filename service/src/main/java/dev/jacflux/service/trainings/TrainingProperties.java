package dev.jacflux.service.trainings;

import dev.jacflux.config.ConfigException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code jacflux.training.*} properties of the service's trainings (environment:
 * {@code JACFLUX_TRAINING_MAX_RUNNING}, ...). Invalid values fail start-up naming the key.
 *
 * <pre>{@code
 * jacflux:
 *   training:
 *     max-running: 1
 *     checkpoint-every: 10
 * }</pre>
 *
 * @param maxRunning      Trainings running at once, each on a thread of its own; a new one beyond is refused with 429.
 *                        Trainings resumed at start-up always run.
 * @param checkpointEvery Default checkpoint interval in steps (a training may set its own "checkpoint_every"). Steps are
 *                        released (logged, streamed, counted in the weights) when their checkpoint is on disk, so this is
 *                        also the granularity of the event stream.
 */
@ConfigurationProperties(prefix = "jacflux.training")
public record TrainingProperties(@DefaultValue("1") int maxRunning, @DefaultValue("10") long checkpointEvery) {

    /** Validates the values. */
    public TrainingProperties {
        if (maxRunning < 1) {
            throw new ConfigException("jacflux.training.max-running", "jacflux.training.max-running must be at least 1, got " + maxRunning);
        }
        if (checkpointEvery < 1) {
            throw new ConfigException("jacflux.training.checkpoint-every", "jacflux.training.checkpoint-every must be at least 1 step, got "
                    + checkpointEvery);
        }
    }
}
