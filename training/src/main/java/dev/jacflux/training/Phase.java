package dev.jacflux.training;

import java.util.Locale;

/**
 * The phases of a training step, timed separately (the {@code phase} tag of the step-duration meter).
 *
 * <pre>{@code
 * Phase.FORWARD_BACKWARD.tag();   // "forward_backward"
 * }</pre>
 */
public enum Phase {
    /** Drawing the batch and gathering its rows. */
    SAMPLE,
    /** The forward pass and one ordinary backward pass (ghost), or the per-sample gradient matrix, or the plain gradient. */
    FORWARD_BACKWARD,
    /** Per-sample gradient norms (ghost norms, or the row norms of the matrix). */
    NORMS,
    /** The clipped sum {@code sum_b c_b g_b}. */
    CLIP,
    /** Waiting for the noise, drawn on another thread while the passes run. */
    NOISE,
    /** Adding the noise and the optimizer's update. */
    UPDATE,
    /** The accountant's step and epsilon. */
    ACCOUNT,
    /** Writing a checkpoint. */
    CHECKPOINT;

    /** The tag value: the lower-case name. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
