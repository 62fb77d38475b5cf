package dev.jacflux.training;

/**
 * Why a training ended.
 *
 * <pre>{@code
 * trainer.steps().blockLast();
 * StopReason r = trainer.stopReason();   // e.g. EPOCHS
 * }</pre>
 */
public enum StopReason {
    /** The step limit was reached. */
    STEPS,
    /** The epoch limit was reached. */
    EPOCHS,
    /** One more step would have taken epsilon beyond the target. */
    TARGET_EPSILON,
    /** The subscriber cancelled. */
    CANCELLED,
    /** A step failed. */
    FAILED
}
