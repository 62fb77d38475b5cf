package dev.jacflux.service.trainings;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a training of the service stands. {@code running} is the only state that changes by
 * itself; the others are final. A training that was running when the service stopped (even by
 * SIGKILL) is {@code running} again after the next start, continuing from its last checkpoint.
 *
 * <pre>{@code
 * TrainingState.RUNNING.wire();   // "running", as in the JSON answers
 * }</pre>
 */
public enum TrainingState {
    /** Steps are being computed. */
    RUNNING,
    /** A stop condition was reached (steps, epochs or target epsilon). */
    COMPLETED,
    /** Cancelled by {@code DELETE /v1/trainings/{id}}. */
    CANCELLED,
    /** A step or the storage failed; the training's {@code error} says why. */
    FAILED;

    /** The name in JSON answers: lower case. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the state is final. */
    public boolean isFinal() {
        return this != RUNNING;
    }

    /** The state of a wire name. */
    public static TrainingState of(String wire) {
        return valueOf(wire.trim().toUpperCase(Locale.ROOT));
    }
}
