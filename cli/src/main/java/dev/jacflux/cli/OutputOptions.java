package dev.jacflux.cli;

import picocli.CommandLine.Option;

/**
 * Options every command shares: {@code --progress} / {@code --no-progress} and {@code --quiet}.
 * Without either progress option, the progress bar is shown when stderr is a terminal
 * ({@code System.console() != null}) and {@code --quiet} is not given.
 *
 * <pre>{@code
 * @Mixin OutputOptions output;
 * Reporter r = output.reporter(spec.commandLine());
 * }</pre>
 */
public final class OutputOptions {
    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr for long jobs (default: on when stderr is a terminal and --quiet is not given).")
    Boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors (and the demo's summary line).")
    boolean quiet;

    /** Whether the progress bar is on: explicit choice, else on for a terminal unless quiet. */
    public boolean progressEnabled() {
        if (progress != null) {
            return progress;
        }
        return !quiet && System.console() != null;
    }

    /** Whether informational output is suppressed. */
    public boolean quiet() {
        return quiet;
    }

    /** A reporter writing to the command's out and err streams with these settings. */
    public Reporter reporter(picocli.CommandLine cl) {
        return new Reporter(cl.getOut(), cl.getErr(), quiet, progressEnabled());
    }
}
