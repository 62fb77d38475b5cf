package dev.jacflux.cli;

import dev.jacflux.training.StepResult;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress bar of {@code jacflux train} on stderr, redrawn in place at most every 100 ms:
 * {@code train [#######.................]  31%  310/1000 steps  loss 0.5321  eps 1.234  12.3 s}
 * (without a step limit, e.g. a target epsilon alone, the bar is left out).
 *
 * <pre>{@code
 * TrainProgress p = new TrainProgress(err, 1000, 0);
 * trainer.steps().doOnNext(p::update).blockLast();
 * p.done();
 * }</pre>
 */
final class TrainProgress {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastLength;
    private StepResult last;

    /**
     * @param err where to draw (null: nothing)
     * @param total the step limit ({@code Long.MAX_VALUE}: unknown)
     */
    TrainProgress(PrintWriter err, long total) {
        this.err = err;
        this.total = total;
    }

    /** A step finished. */
    synchronized void update(StepResult r) {
        last = r;
        if (err != null && System.nanoTime() - lastDraw >= REDRAW_NANOS) {
            draw();
        }
    }

    /** Draws the final state and ends the line. */
    synchronized void done() {
        if (err != null && last != null) {
            draw();
            err.println();
            err.flush();
        }
    }

    private void draw() {
        long step = last.step();
        double seconds = (System.nanoTime() - start) / 1e9;
        String bar = "";
        if (total != Long.MAX_VALUE && total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * step / total);
            bar = String.format(Locale.ROOT, "[%s%s] %3d%%  %d/%d steps", "#".repeat(filled), ".".repeat(WIDTH - filled),
                    Math.min(100, 100 * step / total), step, total);
        } else {
            bar = step + " steps";
        }
        String eps = Double.isNaN(last.epsilon()) ? "" : String.format(Locale.ROOT, "  eps %.3f", last.epsilon());
        String line = String.format(Locale.ROOT, "train %s  loss %.4f%s  %.1f s", bar, last.loss(), eps, seconds);
        err.print("\r" + line + (line.length() < lastLength ? " ".repeat(lastLength - line.length()) : ""));
        err.flush();
        lastLength = line.length();
        lastDraw = System.nanoTime();
    }
}
