package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.pipeline.PipelineListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The polling loop's transaction and rebalance handling on mock clients (deterministic, no
 * broker): a revocation commits the ready records first and drops the rest; an abortable commit
 * error aborts and rewinds to the oldest uncommitted record; a fenced producer fails the worker.
 */
class WorkerLoopTest {
    private static final String IN = "in";
    private static final TopicPartition TP = new TopicPartition(IN, 0);

    @TempDir
    Path tmp;

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

    private final ClientFactory mocks = new ClientFactory() {
        @Override
        public Consumer<byte[], byte[]> consumer(Map<String, Object> properties) {
            return consumer;
        }

        @Override
        public Producer<byte[], byte[]> producer(Map<String, Object> properties) {
            return producer;
        }
    };

    private WorkerConfig config(Duration commitInterval) {
        return WorkerConfig.builder().bootstrapServers("mock:9092").groupId("g").inputTopic(IN).outputTopic("out")
                .modelsDir(tmp).workerId("w").maxInFlight(8).commitInterval(commitInterval).build();
    }

    /** A record with no job header: rejected at once (a ready failure). */
    private static ConsumerRecord<byte[], byte[]> rejected(long offset) {
        return new ConsumerRecord<>(IN, 0, offset, ("r" + offset).getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }

    /** A well-formed record that goes to the pipeline. */
    private ConsumerRecord<byte[], byte[]> computed(long offset, String model) {
        ProducerRecord<byte[], byte[]> p = Inputs.record(IN, "c" + offset, "jacobian", model, TestModels.input(DataType.FLOAT, offset, 2, 3),
                null, null);
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(IN, 0, offset, p.key(), p.value());
        p.headers().forEach(h -> r.headers().add(h));
        return r;
    }

    private static List<String> keys(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aRevocationCommitsTheReadyRecordsAndDropsTheOnesStillComputing() throws Exception {
        String model = TestModels.add(new ModelDirectory(tmp), TestModels.mlp(3, 4, 2, 1));
        Semaphore gate = new Semaphore(0);
        PipelineListener stalled = new PipelineListener() {
            @Override
            public void forwardFinished(String job, Duration elapsed) {
                // on the rail that ran the forward pass: the rail stalls (a listener's batchStarted
                // runs on the subscribing thread, here the worker's poll loop, and must not block)
                gate.acquireUninterruptibly();
            }
        };
        CountDownLatch revoked = new CountDownLatch(1);
        WorkerListener listener = new WorkerListener() {
            @Override
            public void recordsConsumed(int count) {
                consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
            }

            @Override
            public void partitionsRevoked(Collection<TopicPartition> gone, Collection<TopicPartition> now) {
                revoked.countDown();
            }
        };
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.addRecord(rejected(0));
            consumer.addRecord(rejected(1));
            consumer.addRecord(computed(2, model));
            consumer.addRecord(rejected(3));
        });
        // a long commit interval and 4 ready records < max in flight / 2: only the revocation commits
        KafkaWorker worker = KafkaWorker.withClients(config(Duration.ofHours(1)), listener, stalled, mocks);
        worker.start();
        try {
            assertTrue(revoked.await(60, TimeUnit.SECONDS));
            assertEquals(List.of("r0", "r1"), keys(producer.history()), "the leading ready records, not r3 behind the stalled c2");
            assertEquals(List.of(Map.of("dummy.group.id", Map.of(TP, new OffsetAndMetadata(2)))), producer.consumerGroupOffsetsHistory());
            assertEquals(1, producer.commitCount());
        } finally {
            gate.release(100);
            worker.close();
        }
        assertEquals(WorkerState.STOPPED, worker.state());
        assertEquals(0, worker.status().inFlight());
        assertEquals(1, producer.commitCount(), "nothing of the revoked partition committed later");
    }

    @Test
    void anAbortableCommitErrorAbortsAndRewindsToTheOldestUncommittedRecord() throws Exception {
        producer.sendOffsetsToTransactionException = new CommitFailedException("group rebalanced");
        CountDownLatch committed = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger aborts = new java.util.concurrent.atomic.AtomicInteger();
        WorkerListener listener = new WorkerListener() {
            @Override
            public void transactionAborted(String cause) {
                aborts.incrementAndGet();
                // the broker would deliver again from the rewound position: offer the records again
                producer.sendOffsetsToTransactionException = null;
                consumer.schedulePollTask(() -> {
                    consumer.addRecord(rejected(0));
                    consumer.addRecord(rejected(1));
                });
            }

            @Override
            public void transactionCommitted(int records, Duration elapsed) {
                committed.countDown();
            }
        };
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.addRecord(rejected(0));
            consumer.addRecord(rejected(1));
        });
        try (KafkaWorker worker = KafkaWorker.withClients(config(Duration.ZERO), listener, null, mocks)) {
            worker.start();
            assertTrue(committed.await(60, TimeUnit.SECONDS), "the records were not committed after the abort");
            assertEquals(1, aborts.get());
            assertEquals(1, producer.commitCount());
            assertEquals(List.of("r0", "r1"), keys(producer.history()), "each record once, after the rewind");
            assertEquals(List.of(Map.of("dummy.group.id", Map.of(TP, new OffsetAndMetadata(2)))), producer.consumerGroupOffsetsHistory());
        }
    }

    @Test
    void aFencedProducerFailsTheWorkerWithoutCommitting() throws Exception {
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.addRecord(rejected(0));
            producer.fenceProducer();
        });
        KafkaWorker worker = KafkaWorker.withClients(config(Duration.ZERO), null, null, mocks);
        worker.start();
        assertTrue(worker.awaitTermination(Duration.ofSeconds(60)));
        assertEquals(WorkerState.FAILED, worker.state());
        assertTrue(worker.status().failure().startsWith("producer jacflux-g-w: "), worker.status().failure());
        assertEquals(List.of(), producer.history());
        assertEquals(List.of(), producer.consumerGroupOffsetsHistory());
        assertTrue(producer.closed());
    }
}
