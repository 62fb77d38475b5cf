package dev.jacflux.kafka;

import dev.jacflux.model.io.ModelDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.pipeline.PipelineListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pipeline that does not finish (its rails wait on a gate) while the topic holds far more than
 * the worker may hold: the worker takes exactly its in-flight bound, pauses, keeps polling without
 * taking more, reports the rest as lag; once the gate opens every record gets its result.
 */
class WorkerBackpressureTest {
    private static final int RECORDS = 300;
    private static final int MAX_IN_FLIGHT = 4;

    @TempDir
    Path tmp;

    @Test
    void aStalledPipelinePausesThePartitionsAtTheInFlightBound() throws Exception {
        String in = "bp-in-" + UUID.randomUUID();
        String out = "bp-out-" + UUID.randomUUID();
        TestBroker.topic(in, 1);
        TestBroker.topic(out, 1);
        ModelDirectory dir = new ModelDirectory(tmp.resolve("models"));
        String id = TestModels.add(dir, TestModels.mlp(64, 8, 4, 3));
        // 300 records of 128 KiB (a [256, 64] float64 batch each): about 38 MiB in the topic
        INDArray x = TestModels.input(DataType.DOUBLE, 5, 256, 64);
        INDArray y = TestModels.input(DataType.DOUBLE, 6, 256, 4);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(Inputs.record(in, "b" + i, "norms", id, x, "mse", y));
        }
        TestBroker.send(records);

        Semaphore gate = new Semaphore(0);
        PipelineListener stalled = new PipelineListener() {
            @Override
            public void forwardFinished(String job, Duration elapsed) {
                // on the rail that ran the forward pass: the rail stalls (a listener's batchStarted
                // runs on the subscribing thread, here the worker's poll loop, and must not block)
                gate.acquireUninterruptibly();
            }
        };
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch laterStatuses = new CountDownLatch(10);
        AtomicInteger maxSeen = new AtomicInteger();
        WorkerListener watcher = new WorkerListener() {
            @Override
            public void inFlightChanged(int inFlight, boolean isPaused) {
                maxSeen.accumulateAndGet(inFlight, Math::max);
                if (isPaused) {
                    if (paused.getCount() == 0) {
                        laterStatuses.countDown();
                    }
                    paused.countDown();
                }
            }
        };
        WorkerConfig config = WorkerRoundTripTest.config(in, out, dir.root()).maxInFlight(MAX_IN_FLIGHT).build();
        try (KafkaWorker worker = KafkaWorker.create(config, watcher, stalled)) {
            worker.start();
            assertTrue(paused.await(60, TimeUnit.SECONDS), "the worker never paused");
            // ten more status rounds (about two seconds of polling) while the pipeline stays stalled
            assertTrue(laterStatuses.await(60, TimeUnit.SECONDS));
            WorkerStatus s = worker.status();
            assertTrue(s.paused());
            assertEquals(MAX_IN_FLIGHT, s.consumed(), "records taken while nothing can finish");
            assertEquals(MAX_IN_FLIGHT, s.inFlight());
            assertEquals(RECORDS, s.totalLag(), "lag: everything not answered, in flight or still in the topic");

            gate.release(Integer.MAX_VALUE / 2);
            List<ConsumerRecord<byte[], byte[]>> results = TestBroker.readCommitted(out, r -> r.size() >= RECORDS, Duration.ofSeconds(120));
            assertEquals(RECORDS, results.size());
            Set<String> keys = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : results) {
                assertEquals(null, TestBroker.header(r, JacFluxHeaders.ERROR));
                keys.add(TestBroker.key(r));
            }
            assertEquals(RECORDS, keys.size());
            assertTrue(maxSeen.get() <= MAX_IN_FLIGHT, "in flight reached " + maxSeen.get());
            assertEquals(RECORDS, worker.status().consumed());
        }
    }
}
