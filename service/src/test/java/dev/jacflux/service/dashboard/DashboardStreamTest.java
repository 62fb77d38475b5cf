package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jacflux.config.JobKind;
import dev.jacflux.service.models.StoredModel;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.trainings.TrainingState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;

/** Ticks: rates between totals, bounded history, what changed; a stream starts with a snapshot and ends on close. */
class DashboardStreamTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final PipelineAggregates aggregates = new PipelineAggregates();
    private final SaliencyAggregator saliency = new SaliencyAggregator(clock::get);
    private final TrainingBoard trainings = new TrainingBoard();
    private final DashboardProperties properties = new DashboardProperties(null, Duration.ofSeconds(1), Duration.ofSeconds(3));
    private final DashboardStream stream = new DashboardStream(properties, aggregates, saliency, trainings, clock::get, true);

    private void batch(int samples, long entries) {
        aggregates.batchStarted("batch-jacobian", samples);
        aggregates.forwardFinished("batch-jacobian", Duration.ofMillis(3));
        aggregates.batchSucceeded("batch-jacobian", samples, entries, entries * 4, Duration.ofMillis(5));
    }

    @Test
    void aTickHasTheRatesSinceThePreviousOne() {
        clock.addAndGet(1000);
        stream.tick();
        batch(100, 7000);
        batch(50, 3500);
        clock.addAndGet(2000);
        DashboardTick t = stream.tick();
        assertEquals(2, t.seq());
        assertEquals(2.0, t.point().seconds(), 0);
        assertEquals(75.0, t.point().samplesPerSecond(), 0);
        assertEquals(5250.0, t.point().entriesPerSecond(), 0);
        assertEquals(1.0, t.point().batchesPerSecond(), 0);
        assertEquals(2, t.point().stages().get("forward").count());
        assertEquals(0, t.point().stages().get("vjp-chunk").count());
        assertEquals(150, t.totals().samples());
        clock.addAndGet(1000);
        DashboardTick quiet = stream.tick();
        assertEquals(0.0, quiet.point().samplesPerSecond(), 0);
        assertEquals(0, quiet.point().stages().get("forward").count());
    }

    @Test
    void theHistoryKeepsTheLastPoints() {
        for (int i = 0; i < 10; i++) {
            clock.addAndGet(1000);
            stream.tick();
        }
        List<LivePoint> h = stream.history();
        assertEquals(properties.points(), h.size());
        assertEquals(clock.get(), h.get(h.size() - 1).t());
        assertEquals(clock.get() - 2000, h.get(0).t());
    }

    @Test
    void saliencyAndTrainingsAreSentOnceWhenTheyChange() {
        StoredModel m = new StoredModel("m", Path.of("a"), Path.of("b"), dev.jacflux.service.support.TestModels.cnn());
        saliency.resultWritten("r1", m, JobKind.BATCH_JACOBIAN, Arrays2.randn(1, DataType.FLOAT, 3, 4, 2, 6, 6));
        trainings.accept(TrainingBoardTest.update("t1", TrainingState.RUNNING, 1, 2.0, 0.1));
        DashboardTick first = stream.tick();
        assertNotNull(first.saliency());
        assertEquals(1, first.trainings().size());
        DashboardTick second = stream.tick();
        assertNull(second.saliency());
        assertThat(second.trainings()).isEmpty();
        DashboardSnapshot s = stream.snapshot();
        assertNotNull(s.saliency());
        assertEquals(1, s.trainings().size());
        assertEquals(2, s.seq());
        assertThat(s.tokenRequired()).isTrue();
    }

    @Test
    void aStreamStartsWithASnapshotThenTicksAndEndsOnClose() {
        stream.tick();
        List<ServerSentEvent<Object>> got = new CopyOnWriteArrayList<>();
        AtomicLong completed = new AtomicLong();
        Disposable d = stream.events().subscribe(got::add, e -> { }, completed::incrementAndGet);
        stream.tick();
        stream.tick();
        stream.close();
        d.dispose();
        assertEquals(List.of("snapshot", "tick", "tick"), got.stream().map(ServerSentEvent::event).toList());
        assertEquals(List.of("1", "2", "3"), got.stream().map(ServerSentEvent::id).toList());
        assertThat(got.get(0).data()).isInstanceOf(DashboardSnapshot.class);
        assertEquals(1, completed.get(), "closing ends the open streams");
    }
}
