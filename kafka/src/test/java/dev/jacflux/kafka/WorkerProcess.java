package dev.jacflux.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker as a separate JVM: the packaged {@code target/jacflux-kafka-*.jar} with
 * {@code target/lib/*}, as {@code bin/jacflux worker} runs it. Its output goes to a log file; the
 * latest "partitions now [...]" line is kept.
 */
final class WorkerProcess implements AutoCloseable {
    private static final Pattern PARTITIONS = Pattern.compile("partitions now \\[([^\\]]*)\\]");

    private final String id;
    private final Process process;
    private final CountDownLatch outputClosed = new CountDownLatch(1);
    private final List<String> lines = new ArrayList<>();
    private volatile List<String> partitions = List.of();

    private WorkerProcess(String id, Process process, Path log, Consumer<WorkerProcess> onPartitions) throws IOException {
        this.id = id;
        this.process = process;
        PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.println(line);
                    synchronized (lines) {
                        lines.add(line);
                    }
                    Matcher m = PARTITIONS.matcher(line);
                    if (m.find()) {
                        partitions = m.group(1).isBlank() ? List.of() : List.of(m.group(1).split(", "));
                        onPartitions.accept(this);
                    }
                }
            } catch (IOException e) {
                w.println("(output closed: " + e.getMessage() + ")");
            } finally {
                w.close();
                outputClosed.countDown();
            }
        }, "output-" + id);
        t.setDaemon(true);
        t.start();
    }

    /** JVM options of the fault test's workers: a small heap and a quick start (C1 only). */
    static final List<String> QUICK_START = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Starts worker {@code id} with {@link #QUICK_START} and {@code args} after the main class, logging to {@code log}. */
    static WorkerProcess start(String id, List<String> args, Path log, Consumer<WorkerProcess> onPartitions) throws IOException {
        return start(id, QUICK_START, args, log, onPartitions);
    }

    /** Starts worker {@code id} with {@code jvmOptions}, and {@code args} after the main class, logging to {@code log}. */
    static WorkerProcess start(String id, List<String> jvmOptions, List<String> args, Path log, Consumer<WorkerProcess> onPartitions)
            throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        Path jar = null;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target, "jacflux-kafka-*.jar")) {
            for (Path p : s) {
                if (!p.getFileName().toString().contains("-tests")) {
                    jar = p;
                }
            }
        }
        if (jar == null || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException("run after 'package': " + target + " has no jacflux-kafka jar and lib/");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dorg.bytedeco.javacpp.maxbytes=512m",
                "-cp", jar + java.io.File.pathSeparator + target.resolve("lib") + java.io.File.separator + "*",
                "dev.jacflux.kafka.WorkerMain", "--worker-id", id));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        return new WorkerProcess(id, pb.start(), log, onPartitions);
    }

    String id() {
        return id;
    }

    /** The partitions of the latest "partitions now" line. */
    List<String> partitions() {
        return partitions;
    }

    /** Every output line so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** SIGKILL. */
    void kill() {
        process.destroyForcibly();
    }

    /** SIGTERM: a graceful stop (through the process handle, which keeps our end of its output open). */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the process to exit and its output to be read; returns the exit code, or -1 on timeout. */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return -1;
        }
        outputClosed.await(10, TimeUnit.SECONDS);
        return process.exitValue();
    }

    /** CPU time the process has used so far (user + system), in milliseconds, or -1 if unknown. */
    long cpuMillis() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
