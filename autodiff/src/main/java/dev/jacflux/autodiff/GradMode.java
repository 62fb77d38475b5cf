package dev.jacflux.autodiff;

/**
 * Per-thread switch that decides whether ops record the graph needed for differentiation.
 *
 * <p>Recording is on by default. The engine turns it off while it pulls cotangents back (unless
 * second-order derivatives are requested), and users can turn it off for pure inference:
 * <pre>{@code
 * try (GradMode.Scope off = GradMode.disable()) {
 *     Tensor y = model.apply(x);        // no graph is kept, intermediates can be freed
 * }
 * }</pre>
 * The switch is thread-local, so chunks pulled back on several threads do not disturb each other.
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> RECORDING = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {
    }

    /** Whether ops on this thread currently record their inputs for differentiation. */
    public static boolean isRecording() {
        return RECORDING.get();
    }

    /** Turns recording off on this thread until the returned scope is closed. */
    public static Scope disable() {
        return set(false);
    }

    /** Sets recording on this thread until the returned scope is closed, then restores it. */
    public static Scope set(boolean recording) {
        boolean previous = RECORDING.get();
        RECORDING.set(recording);
        return () -> RECORDING.set(previous);
    }

    /** Restores the previous recording state when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
