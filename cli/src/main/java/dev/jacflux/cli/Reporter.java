package dev.jacflux.cli;

import java.io.PrintWriter;

/**
 * Where a command's messages go: informational lines on stdout (suppressed by {@code --quiet}),
 * the progress bar on stderr (when enabled). Errors are printed by {@link JacFluxCli}, which first
 * clears a progress bar that is still on screen.
 *
 * <pre>{@code
 * Reporter r = new Reporter(out, err, false, true);
 * Progress p = r.progress("jacobian", 12);    // 12 chunks
 * p.advance();                                // ... once per chunk
 * p.done();
 * r.info("wrote J.npy");
 * }</pre>
 */
public final class Reporter {
    private static volatile Progress active;

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean quiet;
    private final boolean progress;

    /**
     * @param out informational output
     * @param err progress bar
     * @param quiet suppress informational output
     * @param progress show progress bars
     */
    public Reporter(PrintWriter out, PrintWriter err, boolean quiet, boolean progress) {
        this.out = out;
        this.err = err;
        this.quiet = quiet;
        this.progress = progress;
    }

    /** Prints one informational line unless quiet. */
    public void info(String line) {
        if (!quiet) {
            out.println(line);
            out.flush();
        }
    }

    /** Prints one line even when quiet (results such as the demo's summary). */
    public void always(String line) {
        out.println(line);
        out.flush();
    }

    /** Whether informational output is suppressed. */
    public boolean quiet() {
        return quiet;
    }

    /** A progress bar over {@code total} steps (a no-op one when progress is off). */
    public Progress progress(String label, long total) {
        Progress p = progress ? new Progress(err, label, total) : Progress.NONE;
        active = progress ? p : null;
        return p;
    }

    /** Clears a progress bar still on screen (before an error message). */
    static void clearActiveProgress() {
        Progress p = active;
        active = null;
        if (p != null) {
            p.clear();
        }
    }
}
