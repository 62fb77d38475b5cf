package dev.jacflux.kafka;

import dev.jacflux.pipeline.BatchFailure;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.PipelineResult;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The worker's polling thread: polls input records, starts each on the pipeline (or rejects it at
 * once), and commits the leading run of finished records of every partition in one transaction
 * with their consumed offsets. The only thread that touches the consumer and the producer.
 *
 * <ul>
 *   <li>Backpressure: a poll may add up to {@code maxPollRecords} records, so the partitions are
 *       paused whenever {@code inFlight + maxPollRecords > maxInFlight} and resumed below; records
 *       held never exceed {@code maxInFlight}.</li>
 *   <li>Revoked partitions: ready results of every partition are committed first, then the
 *       revoked partitions' records in flight are cancelled (their next owner starts from the
 *       committed offset). Lost partitions: cancelled without a commit.</li>
 *   <li>Abortable transaction errors (a rebalance fenced the group generation, a broker error):
 *       abort, cancel everything held, seek each partition back to its oldest uncommitted record.
 *       Fatal errors (fenced producer, authorisation): the worker fails.</li>
 * </ul>
 */
final class WorkerLoop implements ConsumerRebalanceListener {
    private static final Duration BUSY_POLL = Duration.ofMillis(10);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    private static final long STATUS_NANOS = 200_000_000L;
    private static final int COMMIT_RETRIES = 3;

    private final WorkerConfig config;
    private final WorkerControl control;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final RecordDecoder decoder;
    private final ResultEncoder encoder;
    private final JobPipelines pipelines;
    private final WorkerListener listener;
    private final Map<TopicPartition, PartitionLedger> ledgers = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> lag = new HashMap<>();
    private final int commitBatch;
    private final long commitIntervalNanos;

    private int inFlight;
    private boolean paused;
    private boolean committing = true;
    private RuntimeException fatal;
    private int consecutiveAborts;
    private long lastCommitNanos = System.nanoTime();
    private long lastStatusNanos;
    private long consumed;
    private long results;
    private long failures;
    private long transactions;
    private long transactionNanos;
    private long aborted;
    private long rebalances;

    WorkerLoop(WorkerConfig config, WorkerControl control, Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer,
            RecordDecoder decoder, ResultEncoder encoder, JobPipelines pipelines, WorkerListener listener) {
        this.config = config;
        this.control = control;
        this.consumer = consumer;
        this.producer = producer;
        this.decoder = decoder;
        this.encoder = encoder;
        this.pipelines = pipelines;
        this.listener = listener;
        this.commitBatch = Math.max(1, config.maxInFlight() / 2);
        this.commitIntervalNanos = config.commitInterval().toNanos();
    }

    /** Runs until stopped or failed; closes the clients and the pipelines on the way out. */
    void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(config.inputTopic()), this);
            control.transition(WorkerState.STARTING, WorkerState.RUNNING);
            loop();
            closeClients();
            control.state(WorkerState.STOPPED);
        } catch (Throwable e) {
            control.fail(describe(e));
            committing = false;
            cancelAll();
            closeQuietly();
        } finally {
            pipelines.close();
            publish(true);
            control.terminated();
        }
    }

    private void loop() {
        boolean draining = false;
        long deadline = 0;
        while (true) {
            long now = System.nanoTime();
            if (control.stopRequested() && !draining) {
                draining = true;
                deadline = now + config.shutdownTimeout().toNanos();
                control.transition(WorkerState.RUNNING, WorkerState.STOPPING);
            }
            if (draining && (inFlight == 0 || now - deadline >= 0)) {
                break;
            }
            updatePause(draining);
            ConsumerRecords<byte[], byte[]> records = consumer.poll(inFlight > 0 || draining ? BUSY_POLL : IDLE_POLL);
            rethrowFatal();
            admit(records);
            commitReady(draining);
            rethrowFatal();
            publish(false);
        }
        commitReady(true);
        cancelAll();   // after the shutdown timeout: not committed, the partitions' next owner runs them
        publish(true);
    }

    private void updatePause(boolean draining) {
        boolean full = draining || inFlight + config.maxPollRecords() > config.maxInFlight();
        if (full && !paused) {
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (!full && paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void admit(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        consumed += records.count();
        listener.recordsConsumed(records.count());
        long now = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Slot slot = new Slot(r, now);
            ledgers.computeIfAbsent(tp, PartitionLedger::new).add(slot);
            inFlight++;
            start(slot, r);
        }
    }

    private void start(Slot slot, ConsumerRecord<byte[], byte[]> r) {
        RecordDecoder.Decoded d;
        try {
            d = decoder.decode(r);
        } catch (RejectedRecordException e) {
            slot.complete(encoder.failure(r, e));
            return;
        } catch (RuntimeException e) {
            slot.complete(encoder.failure(r, WorkerFailureReason.INTERNAL, "batch " + RecordDecoder.batchId(r)
                    + ": cannot decode the record: " + describe(e), null, null));
            return;
        }
        slot.work(pipelines.process(d.job(), d.batch()).subscribe(
                result -> slot.complete(encode(r, d, result, slot)),
                error -> slot.complete(encoder.failure(r, WorkerFailureReason.INTERNAL, "batch " + d.batch().id() + ": " + describe(error),
                        d.job().headerValue(), d.modelId()))));
    }

    private Outcome encode(ConsumerRecord<byte[], byte[]> r, RecordDecoder.Decoded d, PipelineResult result, Slot slot) {
        if (result instanceof JacobianResult ok) {
            try {
                return encoder.result(r, d, ok, Duration.ofNanos(System.nanoTime() - slot.polledNanos()));
            } catch (RuntimeException e) {
                return encoder.failure(r, WorkerFailureReason.INTERNAL, "batch " + ok.batchId() + ": cannot encode the result: " + describe(e),
                        d.job().headerValue(), d.modelId());
            } finally {
                ok.release();
            }
        }
        BatchFailure f = (BatchFailure) result;
        String m = f.message() == null ? "" : f.message();
        return encoder.failure(r, WorkerFailureReason.of(f.reason()), m.startsWith("batch ") ? m : "batch " + f.batchId() + ": " + m,
                d.job().headerValue(), d.modelId());
    }

    /** Commits the ready records of every partition if enough are ready, the interval passed, or {@code force}. */
    private void commitReady(boolean force) {
        if (!committing) {
            return;
        }
        Map<TopicPartition, List<Slot>> ready = new LinkedHashMap<>();
        int count = 0;
        for (PartitionLedger l : ledgers.values()) {
            List<Slot> r = l.ready();
            if (!r.isEmpty()) {
                ready.put(l.partition(), r);
                count += r.size();
            }
        }
        if (count == 0 || (!force && count < commitBatch && System.nanoTime() - lastCommitNanos < commitIntervalNanos)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            producer.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (Map.Entry<TopicPartition, List<Slot>> e : ready.entrySet()) {
                for (Slot s : e.getValue()) {
                    producer.send(s.outcome().toRecord(config.outputTopic()));
                }
                List<Slot> slots = e.getValue();
                offsets.put(e.getKey(), new OffsetAndMetadata(slots.get(slots.size() - 1).offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            commitTransaction();
        } catch (KafkaException e) {
            if (isFatal(e)) {
                throw new WorkerFailedException("producer " + config.transactionalId() + ": " + describe(e), e);
            }
            abortAndRewind(e);
            return;
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        lastCommitNanos = System.nanoTime();
        consecutiveAborts = 0;
        for (Map.Entry<TopicPartition, List<Slot>> e : ready.entrySet()) {
            ledgers.get(e.getKey()).removeFirst(e.getValue().size());
            inFlight -= e.getValue().size();
            for (Slot s : e.getValue()) {
                Outcome o = s.outcome();
                if (o.isFailure()) {
                    failures++;
                    listener.failureCommitted(o.failure());
                } else {
                    results++;
                    listener.resultCommitted(o.job());
                }
            }
        }
        transactions++;
        transactionNanos += elapsed.toNanos();
        listener.transactionCommitted(count, elapsed);
    }

    private void commitTransaction() {
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                // the commit may still complete: retrying commitTransaction is allowed after a timeout
                if (attempt >= COMMIT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    private void abortAndRewind(KafkaException cause) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            throw new WorkerFailedException("producer " + config.transactionalId() + ": cannot abort the transaction after '"
                    + describe(cause) + "': " + describe(e), e);
        }
        aborted++;
        consecutiveAborts++;
        Set<TopicPartition> owned = consumer.assignment();
        for (PartitionLedger l : ledgers.values()) {
            long first = l.firstOffset();
            inFlight -= l.cancelAll();
            if (first >= 0 && owned.contains(l.partition())) {
                consumer.seek(l.partition(), first);
            }
        }
        listener.transactionAborted(describe(cause));
        if (consecutiveAborts > 1) {
            // the same error again: give the cluster a moment instead of spinning
            try {
                Thread.sleep(Math.min(5_000L, 200L * consecutiveAborts));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (revoked.isEmpty()) {
            return;
        }
        try {
            commitReady(true);
        } catch (RuntimeException e) {
            fatal = e;
        }
        release(revoked);
        rebalances++;
        listener.partitionsRevoked(revoked, remaining(revoked));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        if (lost.isEmpty()) {
            return;
        }
        release(lost);
        rebalances++;
        listener.partitionsLost(lost, remaining(lost));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        if (assigned.isEmpty()) {
            return;
        }
        for (TopicPartition tp : assigned) {
            ledgers.computeIfAbsent(tp, PartitionLedger::new);
        }
        if (paused) {
            consumer.pause(assigned);
        }
        rebalances++;
        listener.partitionsAssigned(assigned, consumer.assignment());
    }

    private void release(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionLedger l = ledgers.remove(tp);
            if (l != null) {
                inFlight -= l.cancelAll();
            }
            lag.remove(tp);
            listener.partitionReleased(tp);
        }
    }

    private Set<TopicPartition> remaining(Collection<TopicPartition> gone) {
        Set<TopicPartition> now = new HashSet<>(consumer.assignment());
        now.removeAll(gone);
        return now;
    }

    private void cancelAll() {
        for (PartitionLedger l : ledgers.values()) {
            inFlight -= l.cancelAll();
        }
    }

    private void rethrowFatal() {
        RuntimeException f = fatal;
        if (f != null) {
            fatal = null;
            throw f;
        }
    }

    private void publish(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastStatusNanos < STATUS_NANOS) {
            return;
        }
        lastStatusNanos = now;
        if (committing) {
            for (PartitionLedger l : ledgers.values()) {
                OptionalLong behind = currentLag(l.partition());
                if (behind.isPresent()) {
                    long value = behind.getAsLong() + l.size();
                    lag.put(l.partition(), value);
                    listener.lagUpdated(l.partition(), value);
                }
            }
        }
        listener.inFlightChanged(inFlight, paused);
        control.publish(new WorkerStatus(control.state(), config.workerId(), new HashSet<>(ledgers.keySet()), new HashMap<>(lag), inFlight,
                paused, consumed, results, failures, transactions, transactionNanos, aborted, rebalances, null));
    }

    private OptionalLong currentLag(TopicPartition tp) {
        try {
            return consumer.currentLag(tp);
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private void closeClients() {
        consumer.close();   // leaves the group: the revoke callback commits what is ready (nothing by now)
        committing = false;
        producer.close();
    }

    private void closeQuietly() {
        try {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            // closing after a failure: nothing more to do
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            // closing after a failure: nothing more to do
        }
    }

    static boolean isFatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof OutOfOrderSequenceException || t instanceof AuthorizationException
                    || t instanceof UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    /** One line: the message, or the exception's simple name. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return RecordDecoder.oneLine(m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
    }
}
