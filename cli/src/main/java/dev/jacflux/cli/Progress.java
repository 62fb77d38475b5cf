package dev.jacflux.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn in place with {@code \r} at most every 100 ms:
 * {@code jacobian [########............]  40%  4/10 chunks  1.2 s}. {@link #done()} draws the
 * final state and ends the line; {@link #clear()} erases it (before an error message).
 *
 * <pre>{@code
 * Progress p = new Progress(err, "grads", chunks.size());
 * for (RowChunk c : chunks) { ...; p.advance(); }
 * p.done();
 * }</pre>
 */
public class Progress {
    /** A progress bar that draws nothing. */
    public static final Progress NONE = new Progress(null, "", 1);

    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private int lastLength;
    private boolean finished;

    /**
     * @param err where to draw ({@code null} draws nothing)
     * @param label what is being computed
     * @param total number of steps
     */
    public Progress(PrintWriter err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        if (err != null) {
            draw();
        }
    }

    /** One more step done. */
    public synchronized void advance() {
        done = Math.min(total, done + 1);
        if (err != null && (System.nanoTime() - lastDraw >= REDRAW_NANOS || done == total)) {
            draw();
        }
    }

    /** Draws the final state and ends the line. */
    public synchronized void done() {
        if (err == null || finished) {
            return;
        }
        done = total;
        draw();
        err.println();
        err.flush();
        finished = true;
    }

    /** Erases the bar (if still on screen). */
    public synchronized void clear() {
        if (err == null || finished) {
            return;
        }
        err.print("\r" + " ".repeat(lastLength) + "\r");
        err.flush();
        finished = true;
    }

    private void draw() {
        int filled = (int) (WIDTH * done / total);
        double seconds = (System.nanoTime() - start) / 1e9;
        String line = String.format(Locale.ROOT, "%s [%s%s] %3d%%  %d/%d chunks  %.1f s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), 100 * done / total, done, total, seconds);
        err.print("\r" + line + (line.length() < lastLength ? " ".repeat(lastLength - line.length()) : ""));
        err.flush();
        lastLength = line.length();
        lastDraw = System.nanoTime();
    }
}
