package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import dev.jacflux.pipeline.InputChecks;
import dev.jacflux.pipeline.PipelineListener;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * A JacFlux worker on Kafka: consumes input batches from a topic as a member of a consumer group,
 * runs each through the reactive pipeline, and produces exactly one result or failure record per
 * input record, in transactions that also commit the consumed offsets (exactly once, for
 * consumers of the output in {@code read_committed}). Start as many workers with the same group
 * as the input topic has partitions; a worker that dies hands its partitions to the others.
 *
 * <p>One dedicated polling thread owns the consumer and the producer; the pipeline computes on its
 * own rails. At most {@link WorkerConfig#maxInFlight()} records are held at once: above that the
 * worker pauses its partitions until results are committed. See the README section "Scale-out with
 * Kafka" for the record format and the delivery guarantees.
 *
 * <p>Life cycle: {@link #start()} (returns at once; the worker connects in the background),
 * {@link #stop()} (graceful: finishes and commits the records in flight, then leaves the group),
 * {@link #awaitTermination}, {@link #close()} (stop and wait). {@link #status()} is safe to call
 * from any thread at any time.
 *
 * <pre>{@code
 * WorkerMetrics metrics = new WorkerMetrics();
 * metrics.bindTo(registry);
 * try (KafkaWorker worker = KafkaWorker.create(config, metrics.listener(), PipelineListener.NOOP)) {
 *     worker.start();
 *     ...
 *     System.out.println(worker.status().state() + ", lag " + worker.status().totalLag());
 * }   // close(): graceful stop
 * }</pre>
 */
public final class KafkaWorker implements AutoCloseable {
    private final WorkerConfig config;
    private final WorkerListener listener;
    private final PipelineListener pipelineListener;
    private final ClientFactory clients;
    private final WorkerControl control;
    private Thread thread;

    private KafkaWorker(WorkerConfig config, WorkerListener listener, PipelineListener pipelineListener, ClientFactory clients) {
        if (!Files.isDirectory(config.modelsDir())) {
            throw new IllegalArgumentException("models directory " + config.modelsDir() + " does not exist or is not a directory");
        }
        this.config = config;
        this.listener = listener == null ? WorkerListener.NOOP : listener;
        this.pipelineListener = pipelineListener == null ? PipelineListener.NOOP : pipelineListener;
        this.clients = clients;
        this.control = new WorkerControl(config.workerId());
    }

    /** A worker without listeners. */
    public static KafkaWorker create(WorkerConfig config) {
        return new KafkaWorker(config, null, null, ClientFactory.KAFKA);
    }

    /**
     * A worker reporting to {@code listener} (e.g. {@link WorkerMetrics#listener()}) and its
     * pipelines to {@code pipelineListener} (e.g. {@code JacFluxMetrics.listener()}); either may be null.
     *
     * @throws IllegalArgumentException if the models directory does not exist
     */
    public static KafkaWorker create(WorkerConfig config, WorkerListener listener, PipelineListener pipelineListener) {
        return new KafkaWorker(config, listener, pipelineListener, ClientFactory.KAFKA);
    }

    /** A worker on the given clients (tests). */
    static KafkaWorker withClients(WorkerConfig config, WorkerListener listener, PipelineListener pipelineListener, ClientFactory clients) {
        return new KafkaWorker(config, listener, pipelineListener, clients);
    }

    /**
     * Starts the polling thread: the worker initialises its transactions, joins the group and
     * runs until {@link #stop()} or a fatal error.
     *
     * @throws IllegalStateException if already started
     * @throws org.apache.kafka.common.KafkaException if the client properties are invalid
     */
    public synchronized void start() {
        if (!control.transition(WorkerState.CREATED, WorkerState.STARTING)) {
            throw new IllegalStateException("worker " + config.workerId() + " was already started (state " + control.state() + ")");
        }
        Map<String, Object> producerProperties = KafkaClients.producer(config);
        Consumer<byte[], byte[]> consumer;
        Producer<byte[], byte[]> producer;
        try {
            consumer = clients.consumer(KafkaClients.consumer(config));
            try {
                producer = clients.producer(producerProperties);
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
        } catch (RuntimeException e) {
            control.fail(WorkerLoop.describe(e));
            control.terminated();
            throw e;
        }
        ModelCache models = new ModelCache(new ModelDirectory(config.modelsDir()), InputChecks.dtype(config.pipeline().precision()),
                config.modelCacheSize());
        WorkerLoop loop = new WorkerLoop(config, control, consumer, producer,
                new RecordDecoder(models, config.pipeline().precision()),
                new ResultEncoder(config.workerId(), KafkaClients.maxRequestSize(producerProperties)),
                new JobPipelines(config.pipeline(), models, pipelineListener), listener);
        thread = new Thread(loop::run, "jacflux-kafka-" + config.workerId());
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for a graceful stop (finish and commit what is in flight, then leave the group); returns at once. */
    public void stop() {
        control.requestStop();
        control.transition(WorkerState.RUNNING, WorkerState.STOPPING);
        if (control.transition(WorkerState.CREATED, WorkerState.STOPPED)) {
            control.terminated();
        }
    }

    /** Waits until the worker has stopped or failed; true if it did within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return control.termination().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops gracefully and waits for the shutdown timeout plus a margin for closing the clients. */
    @Override
    public void close() {
        stop();
        try {
            awaitTermination(config.shutdownTimeout().plusSeconds(35));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The life-cycle state. */
    public WorkerState state() {
        return control.state();
    }

    /** A snapshot of the state, assignment, lag and counters (refreshed about every 200 ms). */
    public WorkerStatus status() {
        return control.status();
    }

    /** Per owned partition, records not yet answered (see {@link WorkerStatus#lag()}). */
    public Map<TopicPartition, Long> lag() {
        return control.status().lag();
    }

    /** The configuration. */
    public WorkerConfig config() {
        return config;
    }
}
