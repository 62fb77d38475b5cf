package dev.jacflux.service.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service jar run as a separate process ({@code java -jar jacflux-service-*.jar --port 0}),
 * its stdout and stderr kept in a log file; {@link #start} returns once it printed
 * {@code listening on http://HOST:PORT}.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[^\\s]+:(\\d+))");

    private final Process process;
    private final URI base;
    private final Path log;

    private ServiceProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** The packaged jar (failsafe passes {@code jacflux.service.jar}; else the one in {@code target/}). */
    public static Path jar() {
        String p = System.getProperty("jacflux.service.jar");
        if (p != null) {
            return Path.of(p);
        }
        try (var s = Files.list(Path.of("target"))) {
            return s.filter(f -> f.getFileName().toString().matches("jacflux-service-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/jacflux-service-*.jar: run mvn package first"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the jar with {@code jvmOptions}, the token in {@code JACFLUX_TOKEN}, the data directory and extra
     * arguments, and waits (at most {@code timeout}) for it to listen.
     */
    public static ServiceProcess start(String token, Path dataDir, List<String> jvmOptions, List<String> args, Duration timeout)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar().toString());
        return start(cmd, Map.of(), token, dataDir, args, timeout);
    }

    /**
     * Starts the service with {@code bin/jacflux serve} of this checkout ({@code JAVA_OPTS} =
     * {@code jvmOptions}; no rebuild: the jar under test is used). The launcher would pick
     * OpenBLAS's AVX-512 kernels on a CPU that has them, whose float rounding differs from the
     * kernels OpenBLAS picks itself; so that its results compare bit for bit with this JVM's and
     * with {@link #start}'s, it gets this JVM's {@code OPENBLAS_CORETYPE}, or an empty one (the
     * launcher's "OpenBLAS's own choice").
     */
    public static ServiceProcess startWithLauncher(String token, Path dataDir, List<String> jvmOptions, List<String> args, Duration timeout)
            throws IOException, InterruptedException {
        Path root = jar().toAbsolutePath().getParent().getParent().getParent();
        List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/jacflux").toString(), "serve"));
        String coreType = System.getenv().getOrDefault("OPENBLAS_CORETYPE", "");
        return start(cmd, Map.of("JAVA_OPTS", String.join(" ", jvmOptions), "JACFLUX_NO_BUILD", "1",
                "JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "OPENBLAS_CORETYPE", coreType),
                token, dataDir, args, timeout);
    }

    private static ServiceProcess start(List<String> command, Map<String, String> env, String token, Path dataDir, List<String> args,
            Duration timeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("--port", "0", "--data-dir", dataDir.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("JACFLUX_TOKEN", token);
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        Path log = Files.createTempFile("jacflux-service-", ".log");
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        CompletableFuture<URI> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    Files.writeString(log, "[stderr] " + line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(URI.create(m.group(1)));
                    }
                }
                listening.completeExceptionally(new IllegalStateException("the service exited before listening; log: " + log));
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
        }, "service-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            URI base = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new ServiceProcess(p, base, log);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("the service did not print 'listening on' within " + timeout + "; log " + log + ":\n"
                    + tail(log), e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI base() {
        return base;
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** The process's log (stdout and stderr). */
    public Path log() {
        return log;
    }

    /** Peak resident memory of the process so far ({@code VmHWM}), in KiB; -1 where /proc is not available. */
    public long peakRssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Kills the process at once (SIGKILL: no shutdown hook, no graceful stop) and waits for it to end. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
    }

    /** Whether the process still runs. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Stops the process (SIGTERM: graceful shutdown), forcibly if it has not ended within 60 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
