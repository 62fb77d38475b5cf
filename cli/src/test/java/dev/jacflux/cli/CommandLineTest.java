package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help, version and usage errors of the top-level command. */
class CommandLineTest {
    @ParameterizedTest
    @ValueSource(strings = {"jacobian", "grads", "hessian", "heatmap", "demo"})
    void everyCommandHasHelpWithExamples(String command) {
        Cli.Result r = Cli.ok(command, "--help");
        assertTrue(r.out().contains("Usage: jacflux " + command + " "), r.out());
        assertTrue(r.out().contains("Examples:"), r.out());
        assertTrue(r.out().contains("bin/jacflux " + command), r.out());
        assertTrue(r.out().contains("--quiet"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jacobian", "grads", "hessian", "demo"})
    void computingCommandsShareTheCommonOptions(String command) {
        String help = Cli.ok(command, "--help").out();
        for (String o : new String[] {"--dtype", "--chunk-size", "--memory-budget", "--threads", "--[no-]progress", "--quiet"}) {
            assertTrue(help.contains(o), command + " lacks " + o + ":\n" + help);
        }
    }

    @Test
    void topLevelHelpListsTheCommands() {
        Cli.Result r = Cli.ok("--help");
        for (String c : new String[] {"demo", "jacobian", "grads", "hessian", "heatmap"}) {
            assertTrue(r.out().contains("  " + c), r.out());
        }
        assertTrue(r.out().contains("Exit codes: 0 success, 2 bad usage or bad input"), r.out());
        assertEquals(0, Cli.run("help", "grads").code());
    }

    @Test
    void versionNamesTheProjectVersion() {
        Cli.Result r = Cli.ok("--version");
        assertTrue(r.out().matches("(?s)jacflux \\d+\\.\\d+\\.\\d+.*\\nJava .*"), r.out());
        assertEquals(r.out(), Cli.ok("demo", "--version").out(), "subcommands print the same version");
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError() {
        Cli.Result none = Cli.run();
        assertEquals(2, none.code());
        assertEquals(1, none.errLines().size(), none.err());
        assertTrue(none.err().contains("missing command; choose one of demo, jacobian, grads, hessian, heatmap"), none.err());
        Cli.Result unknown = Cli.run("jacobain");
        assertEquals(2, unknown.code());
        assertEquals(1, unknown.errLines().size(), unknown.err());
        assertTrue(unknown.err().contains("jacobain"), unknown.err());
    }

    /** A command that fails unexpectedly. */
    @picocli.CommandLine.Command(name = "boom")
    static final class Boom implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("unexpected\nstate");
        }
    }

    @Test
    void anUnexpectedExceptionIsAnInternalErrorWithExitCodeOne() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = JacFluxCli.commandLine(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true));
        cl.addSubcommand("boom", new Boom());
        cl.setErr(new java.io.PrintWriter(err, true));   // streams reach only the subcommands present when set
        assertEquals(1, cl.execute("boom"));
        assertTrue(err.toString().startsWith("jacflux boom: internal error: java.lang.IllegalStateException: unexpected; state"),
                err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void messagesAreKeptOnOneLine() {
        assertEquals("a; b; c", JacFluxCli.oneLine("a\nb\r\n  c\n"));
    }
}
