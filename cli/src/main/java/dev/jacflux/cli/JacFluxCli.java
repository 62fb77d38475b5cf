package dev.jacflux.cli;

import dev.jacflux.autodiff.MemoryBudgetException;
import dev.jacflux.model.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code jacflux} command line: NumPy files in, Jacobians, per-sample gradients and Hessians
 * out; heatmaps; the demo. {@code bin/jacflux} runs {@link #main}.
 *
 * <p>Exit codes (a contract for scripts): {@value #OK} success; {@value #BAD_INPUT} bad usage or
 * bad input, with a one-line message on stderr naming the file or option and what is wrong;
 * {@value #INTERNAL_ERROR} internal error (set {@code JACFLUX_DEBUG=1} for the stack trace).
 * Output files are written to a temporary file and renamed when complete, so a failed run leaves
 * no output behind and does not destroy an existing one.
 *
 * <pre>{@code
 * bin/jacflux demo
 * bin/jacflux jacobian --model examples/mnist-mlp/model.json --input examples/mnist-mlp/input.npy --out J.npy
 * }</pre>
 *
 * <p>In Java (tests, embedding):
 * <pre>{@code
 * StringWriter out = new StringWriter(), err = new StringWriter();
 * int code = JacFluxCli.execute(new PrintWriter(out), new PrintWriter(err), "jacobian", "--model", "m.json", ...);
 * }</pre>
 */
@Command(name = "jacflux", mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        description = {"Batched Jacobians and per-sample gradients of jacflux-model/1 models on NumPy files."},
        // The subcommands, in the order 'jacflux --help' lists them: the one place to add a command of
        // this artifact. Commands with their own artifact (bench, serve, worker) are dispatched by bin/jacflux
        // (its OWN_ARTIFACT table) and listed in the footer below.
        subcommands = {
            DemoCommand.class,
            JacobianCommand.class,
            GradsCommand.class,
            HessianCommand.class,
            HeatmapCommand.class,
            TrainCommand.class,
            PrivacyCommand.class,
            HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux demo",
            "  bin/jacflux jacobian --model examples/mnist-mlp/model.json \\",
            "      --input examples/mnist-mlp/input.npy --out J.npy",
            "  bin/jacflux heatmap --jacobian J.npy --sample 0 --output-index 3 --out s.png",
            "  bin/jacflux <command> --help",
            "",
            "Commands with their own artifact, run by bin/jacflux:",
            "  bench     the benchmark cases (module bench; bin/jacflux bench --help)",
            "  serve     the HTTP service (module service; bin/jacflux serve --help)",
            "  worker    a Kafka worker (module kafka; bin/jacflux worker --help)",
            "",
            "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming",
            "the file and the problem), 1 internal error."})
public final class JacFluxCli implements Runnable {
    /** Exit code of success. */
    public static final int OK = 0;
    /** Exit code of an internal error. */
    public static final int INTERNAL_ERROR = 1;
    /** Exit code of bad usage or bad input. */
    public static final int BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    /** Without a command: a usage error listing the commands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command; choose one of "
                + String.join(", ", spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = execute(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs the command line with the given streams and returns the exit code (never exits the JVM).
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(out, err);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            Reporter.clearActiveProgress();
            err.println("jacflux: out of memory (" + e.getMessage() + "); use a smaller batch, --chunk-size or --memory-budget,"
                    + " or give Java more memory with JAVA_OPTS=-Xmx...");
            err.flush();
            return INTERNAL_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The configured picocli command line (exception handlers, streams). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new JacFluxCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(parameterHandler());
        cl.setExecutionExceptionHandler(executionHandler());
        return cl;
    }

    private static IParameterExceptionHandler parameterHandler() {
        return (ex, args) -> {
            Reporter.clearActiveProgress();
            CommandLine cl = ex.getCommandLine();
            String name = cl.getCommandSpec().qualifiedName();
            cl.getErr().println(name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
            cl.getErr().flush();
            return BAD_INPUT;
        };
    }

    private static IExecutionExceptionHandler executionHandler() {
        return (ex, cl, parseResult) -> {
            Reporter.clearActiveProgress();
            String name = cl.getCommandSpec().qualifiedName();
            PrintWriter err = cl.getErr();
            int code;
            if (ex instanceof BadInputException || ex instanceof ModelException) {
                err.println(name + ": " + oneLine(ex.getMessage()));
                code = BAD_INPUT;
            } else if (ex instanceof MemoryBudgetException) {
                err.println(name + ": " + oneLine(ex.getMessage()) + " (--memory-budget)");
                code = BAD_INPUT;
            } else {
                err.println(name + ": internal error: " + oneLine(String.valueOf(ex)) + (debug() ? "" : " (set JACFLUX_DEBUG=1 for details)"));
                code = INTERNAL_ERROR;
            }
            if (debug()) {
                ex.printStackTrace(err);
            }
            err.flush();
            return code;
        };
    }

    private static boolean debug() {
        String d = System.getenv("JACFLUX_DEBUG");
        return d != null && !d.isEmpty() && !d.equals("0");
    }

    /** The message on one line: line breaks become {@code "; "}. */
    static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        return message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /** {@code --version}: the project version from the build, and the Java runtime. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jacflux " + version(), "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                    + "), ND4J 1.0.0-M2.1 CPU"};
        }

        /** The version the module was built as, e.g. {@code 0.1.0-SNAPSHOT}. */
        public static String version() {
            try (InputStream in = JacFluxCli.class.getResourceAsStream("/jacflux-cli.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.startsWith("${")) {
                        return v;
                    }
                }
            } catch (IOException ignored) {
                // fall through
            }
            String v = JacFluxCli.class.getPackage().getImplementationVersion();
            return v == null ? "(development build)" : v;
        }
    }
}
