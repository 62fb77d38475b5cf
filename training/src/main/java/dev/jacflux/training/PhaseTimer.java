package dev.jacflux.training;

import java.util.EnumMap;
import java.util.Map;

/**
 * The phase durations of one step: {@link #time} runs a piece of work and adds its wall time to its
 * phase. Single-threaded (the stepping thread).
 *
 * <pre>{@code
 * PhaseTimer t = new PhaseTimer();
 * INDArray norms = t.time(Phase.NORMS, pass::norms);
 * t.nanos(Phase.NORMS);
 * }</pre>
 */
public final class PhaseTimer {
    private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);

    /** Runs {@code work}, adding its time to {@code phase}. */
    public <T> T time(Phase phase, java.util.function.Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            add(phase, System.nanoTime() - t0);
        }
    }

    /** Runs {@code work}, adding its time to {@code phase}. */
    public void run(Phase phase, Runnable work) {
        long t0 = System.nanoTime();
        try {
            work.run();
        } finally {
            add(phase, System.nanoTime() - t0);
        }
    }

    /** Adds {@code n} nanoseconds to {@code phase}. */
    public void add(Phase phase, long n) {
        nanos.merge(phase, n, Long::sum);
    }

    /** The time of {@code phase} (0 if it did not run). */
    public long nanos(Phase phase) {
        return nanos.getOrDefault(phase, 0L);
    }

    /** The phases that ran, with their times. */
    public Map<Phase, Long> all() {
        return new EnumMap<>(nanos);
    }
}
