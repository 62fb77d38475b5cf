package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import dev.jacflux.config.ByteSize;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.pipeline.PipelineListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jacflux worker}: one Kafka worker process (what {@code bin/jacflux worker} runs). Prints a
 * line when it starts, when its partitions change and every {@code --status-interval}; stops
 * gracefully on SIGTERM or Ctrl-C (finishes and commits the records in flight, then leaves the
 * group; the JVM then exits with the signal's status, 143 or 130). Exit codes otherwise: 1 failed
 * (one line on stderr), 2 bad usage.
 *
 * <pre>{@code
 * bin/jacflux worker --bootstrap-servers localhost:9092 --group jacflux --input-topic batches \
 *     --output-topic results --models models --threads 2
 * }</pre>
 */
@Command(name = "worker", sortOptions = false, mixinStandardHelpOptions = true, version = "jacflux worker 0.1.0",
        subcommands = AddModelCommand.class,
        header = "A JacFlux worker on Kafka: input batches in, exactly one result or failure record out per batch.",
        description = {
            "Joins consumer group --group on --input-topic, runs each record's batch through the pipeline and writes one result"
                + " or failure record per input record to --output-topic, in transactions that also commit the consumed offsets"
                + " (consumers of the results read with isolation.level=read_committed). Start several workers with the same"
                + " group to share the topic's partitions. Record format: see the README section \"Scale-out with Kafka\".",
            ""},
        footerHeading = "%nExample:%n",
        footer = {
            "  bin/jacflux worker add-model --models models examples/mnist-mlp/model.json",
            "  bin/jacflux worker --bootstrap-servers localhost:9092 --group jacflux \\",
            "      --input-topic batches --output-topic results --models models --threads 2",
            "",
            "Required: --bootstrap-servers, --group, --input-topic, --output-topic, --models.",
            "SIGTERM or Ctrl-C: graceful stop (records in flight are committed), then the JVM's",
            "signal exit status (143 or 130). Exit codes otherwise: 1 failed, 2 bad usage."})
public final class WorkerMain implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka brokers, comma-separated.")
    String bootstrapServers;

    @Option(names = "--group", paramLabel = "G", description = "Consumer group shared by all workers of a deployment.")
    String group;

    @Option(names = "--input-topic", paramLabel = "T", description = "Topic of input batches.")
    String inputTopic;

    @Option(names = "--output-topic", paramLabel = "R", description = "Topic of result and failure records.")
    String outputTopic;

    @Option(names = "--models", paramLabel = "DIR", description = "Model directory: DIR/<id>/model.json and weights.npz.")
    Path models;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads: pipeline rails, each running ND4J single-threaded"
            + " (default: min(2, cores)).")
    Integer threads;

    @Option(names = "--worker-id", paramLabel = "ID", description = "This worker's id (default: host name and a random suffix). A stable"
            + " id lets a restarted worker abort its predecessor's open transaction at once.")
    String workerId;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "" + WorkerConfig.DEFAULT_MAX_IN_FLIGHT,
            description = "Records held at once; above it the worker pauses its partitions (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--dtype", paramLabel = "float32|float64", defaultValue = "float32",
            description = "Precision of the computation and the results (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--memory-budget", paramLabel = "SIZE", defaultValue = "512MiB",
            description = "Working memory of the chunks in flight (default: ${DEFAULT-VALUE}).")
    String memoryBudget;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties file (security settings and the"
            + " like); keys prefixed consumer. or producer. go to one client only.")
    Path kafkaConfig;

    @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE", description = "A Kafka client property (repeatable), e.g."
            + " consumer.session.timeout.ms=10000; overrides --kafka-config.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--status-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds between status lines; 0 = none (default: ${DEFAULT-VALUE}).")
    int statusInterval;

    @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a graceful stop waits for records in flight (default: ${DEFAULT-VALUE}).")
    int shutdownTimeout;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    WorkerMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the worker (or {@code add-model}); exits with its exit code. */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        WorkerMain main = new WorkerMain(System.out, System.err);
        int code = main.commandLine().execute(args);
        if (!main.shuttingDown.get()) {
            System.exit(code);
        }
    }

    /** The command line of this command: usage errors exit 2, bad inputs 2 with one line, internal errors 1. */
    CommandLine commandLine() {
        CommandLine cl = new CommandLine(this, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == AddModelCommand.class) {
                    return cls.cast(new AddModelCommand(out));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        });
        cl.setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean usage = e instanceof IllegalArgumentException || e instanceof UsageException || e instanceof UncheckedIOException
                    || e instanceof dev.jacflux.model.ModelException;
            err.println("jacflux worker: " + (usage ? e.getMessage() : "internal error: " + e));
            return usage ? 2 : 1;
        });
        return cl;
    }

    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = config();
        KafkaWorker worker = KafkaWorker.create(config, new Printer(config.workerId()), PipelineListener.NOOP);
        String name = "jacflux worker " + config.workerId();
        out.println(now() + " " + name + ": group " + config.groupId() + ", " + config.inputTopic() + " -> " + config.outputTopic()
                + ", models " + config.modelsDir() + " (" + new ModelDirectory(config.modelsDir()).ids().size() + "), threads "
                + config.pipeline().parallelism() + ", max in flight " + config.maxInFlight() + ", " + config.pipeline().precision().configName());
        Thread hook = new Thread(() -> {
            shuttingDown.set(true);
            worker.close();
            summary(name, worker.status());
        }, "jacflux-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        worker.start();
        Duration step = statusInterval > 0 ? Duration.ofSeconds(statusInterval) : Duration.ofDays(1);
        while (!worker.awaitTermination(step)) {
            WorkerStatus s = worker.status();
            out.println(now() + " " + name + ": " + s.state().name().toLowerCase() + ", consumed " + s.consumed() + ", results "
                    + s.results() + ", failures " + s.failures() + ", lag " + s.totalLag() + ", in flight " + s.inFlight()
                    + (s.paused() ? " (paused)" : ""));
        }
        if (shuttingDown.get()) {
            return 0;   // the shutdown hook reports
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        WorkerStatus s = worker.status();
        summary(name, s);
        if (s.state() == WorkerState.FAILED) {
            err.println(name + ": failed: " + s.failure());
            return 1;
        }
        return 0;
    }

    private void summary(String name, WorkerStatus s) {
        out.println(now() + " " + name + ": " + s.state().name().toLowerCase() + "; consumed " + s.consumed() + ", results "
                + s.results() + ", failures " + s.failures() + ", transactions " + s.transactions() + String.format(java.util.Locale.ROOT,
                " (mean %.1f ms)", s.meanTransactionMillis()) + ", aborted " + s.aborted());
        out.flush();
    }

    private WorkerConfig config() throws IOException {
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (bootstrapServers == null) {
            missing.add("--bootstrap-servers");
        }
        if (group == null) {
            missing.add("--group");
        }
        if (inputTopic == null) {
            missing.add("--input-topic");
        }
        if (outputTopic == null) {
            missing.add("--output-topic");
        }
        if (models == null) {
            missing.add("--models");
        }
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required options: " + String.join(", ", missing));
        }
        if (!Files.isDirectory(models)) {
            throw new UsageException("--models " + models + ": not a directory; expected DIR/<id>/model.json and weights.npz");
        }
        Precision precision = switch (dtype) {
            case "float32" -> Precision.FLOAT32;
            case "float64" -> Precision.FLOAT64;
            default -> throw new UsageException("--dtype: expected float32 or float64, got '" + dtype + "'");
        };
        int rails = threads == null ? PipelineConfig.defaultParallelism() : threads;
        if (rails < 1) {
            throw new UsageException("--threads: expected a whole number >= 1, got " + rails);
        }
        ByteSize budget;
        try {
            budget = ByteSize.parse(memoryBudget);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--memory-budget: " + e.getMessage());
        }
        PipelineConfig pipeline = PipelineConfig.builder().parallelism(rails).nd4jThreads(1).batchesInFlight(Math.max(1, rails))
                .memoryBudget(budget).precision(precision).build();
        Map<String, String> client = new LinkedHashMap<>();
        if (kafkaConfig != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(kafkaConfig)) {
                p.load(in);
            } catch (IOException e) {
                throw new UsageException("--kafka-config " + kafkaConfig + ": cannot read: " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> client.put(k, p.getProperty(k)));
        }
        client.putAll(kafkaProperties);
        WorkerConfig.Builder b = WorkerConfig.builder().bootstrapServers(bootstrapServers).groupId(group).inputTopic(inputTopic)
                .outputTopic(outputTopic).modelsDir(models).pipeline(pipeline).maxInFlight(maxInFlight)
                .shutdownTimeout(Duration.ofSeconds(shutdownTimeout)).clientProperties(client);
        if (workerId != null) {
            b.workerId(workerId);
        }
        return b.build();
    }

    private static String now() {
        return LocalTime.now().format(TIME);
    }

    /** A bad option value (exit code 2). */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Prints partition changes and transaction aborts. */
    private final class Printer implements WorkerListener {
        private final String name;

        Printer(String workerId) {
            this.name = "jacflux worker " + workerId;
        }

        @Override
        public void partitionsAssigned(Collection<TopicPartition> added, Collection<TopicPartition> now) {
            out.println(now() + " " + name + ": partitions now " + names(now) + " (+" + names(added) + ")");
        }

        @Override
        public void partitionsRevoked(Collection<TopicPartition> revoked, Collection<TopicPartition> now) {
            out.println(now() + " " + name + ": partitions now " + names(now) + " (-" + names(revoked) + ")");
        }

        @Override
        public void partitionsLost(Collection<TopicPartition> lost, Collection<TopicPartition> now) {
            out.println(now() + " " + name + ": partitions now " + names(now) + " (lost " + names(lost) + ")");
        }

        @Override
        public void transactionAborted(String cause) {
            out.println(now() + " " + name + ": transaction aborted, records will be processed again: " + cause);
        }

        private String names(Collection<TopicPartition> tps) {
            TreeSet<String> s = new TreeSet<>();
            tps.forEach(tp -> s.add(tp.toString()));
            return s.toString();
        }
    }
}
