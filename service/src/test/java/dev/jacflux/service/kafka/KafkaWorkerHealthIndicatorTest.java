package dev.jacflux.service.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jacflux.kafka.WorkerState;
import dev.jacflux.kafka.WorkerStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The {@code kafka} health component: status per worker state, assignment and lag per partition. */
class KafkaWorkerHealthIndicatorTest {
    private static WorkerStatus status(WorkerState state, String failure) {
        TopicPartition p0 = new TopicPartition("batches", 0);
        TopicPartition p1 = new TopicPartition("batches", 1);
        return new WorkerStatus(state, "w-1", Set.of(p1, p0), Map.of(p0, 0L, p1, 7L), 2, false, 40, 31, 2, 9, 1_000_000L, 1, 3, failure);
    }

    private static Health health(WorkerStatus s) {
        return new KafkaWorkerHealthIndicator(() -> s, "jacflux", "batches", "results").health();
    }

    @Test
    void statusFollowsTheWorkersState() {
        assertEquals(Status.UP, health(status(WorkerState.RUNNING, null)).getStatus());
        assertEquals(Status.UNKNOWN, health(status(WorkerState.CREATED, null)).getStatus());
        assertEquals(Status.UNKNOWN, health(status(WorkerState.STARTING, null)).getStatus());
        assertEquals(Status.OUT_OF_SERVICE, health(status(WorkerState.STOPPING, null)).getStatus());
        assertEquals(Status.OUT_OF_SERVICE, health(status(WorkerState.STOPPED, null)).getStatus());
        Health failed = health(status(WorkerState.FAILED, "producer jacflux-g-w-1: fenced by a newer producer"));
        assertEquals(Status.DOWN, failed.getStatus());
        assertEquals("producer jacflux-g-w-1: fenced by a newer producer", failed.getDetails().get("failure"));
        assertEquals("FAILED", failed.getDetails().get("state"));
    }

    @Test
    void detailsShowTheAssignmentAndTheLagPerPartition() {
        Map<String, Object> d = health(status(WorkerState.RUNNING, null)).getDetails();
        assertEquals("RUNNING", d.get("state"));
        assertEquals("w-1", d.get("workerId"));
        assertEquals("jacflux", d.get("group"));
        assertEquals(List.of("batches-0", "batches-1"), d.get("assignment"));
        assertEquals(Map.of("batches-0", 0L, "batches-1", 7L), d.get("lag"));
        assertEquals(7L, d.get("totalLag"));
        assertEquals(2, d.get("inFlight"));
        assertEquals(40L, d.get("consumed"));
        assertEquals(31L, d.get("results"));
        assertEquals(2L, d.get("failures"));
        assertEquals(1L, d.get("aborted"));
        assertNull(d.get("failure"));
        assertFalse(d.toString().contains("9092"), "no broker addresses: health is public");
    }
}
