package dev.jacflux.service.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.JobKind;
import dev.jacflux.config.Precision;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Query parsing and job slots. */
class JobQueryTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "                               | BATCH_JACOBIAN            | FLOAT32",
        "wrt=input&full=false            | BATCH_JACOBIAN            | FLOAT32",
        "full=TRUE&dtype=float64         | FULL_JACOBIAN             | FLOAT64",
        "wrt=params&dtype=FLOAT32        | PER_SAMPLE_PARAM_JACOBIAN | FLOAT32"})
    void jacobianQueries(String query, JobKind kind, Precision precision) {
        JobQuery q = JobQuery.jacobian(JacobianEndpointTest.queryMap(query == null ? "" : query));
        assertEquals(kind, q.kind());
        assertEquals(precision, q.precision());
        assertEquals(null, q.loss());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "loss=cross_entropy             | PER_SAMPLE_GRADIENTS      | CROSS_ENTROPY",
        "loss=cross-entropy&norms=true   | PER_SAMPLE_GRADIENT_NORMS | CROSS_ENTROPY",
        "loss=MSE&norms=false            | PER_SAMPLE_GRADIENTS      | MSE"})
    void gradsQueries(String query, JobKind kind, LossChoice loss) {
        JobQuery q = JobQuery.grads(JacobianEndpointTest.queryMap(query));
        assertEquals(kind, q.kind());
        assertEquals(loss, q.loss());
    }

    @Test
    void slotsAreTakenAndFreedOnce() throws Exception {
        JobSlots slots = new JobSlots(2);
        Optional<JobSlots.Slot> a = slots.tryAcquire();
        Optional<JobSlots.Slot> b = slots.tryAcquire();
        assertTrue(a.isPresent() && b.isPresent());
        assertFalse(slots.tryAcquire().isPresent());
        assertFalse(slots.awaitIdle(Duration.ofMillis(1)));
        a.get().close();
        a.get().close();   // twice frees one slot only
        assertEquals(1, slots.inUse());
        b.get().close();
        assertTrue(slots.awaitIdle(Duration.ofMillis(1)));
        assertEquals(0, slots.inUse());
        assertEquals(2, List.of(slots.tryAcquire(), slots.tryAcquire()).stream().filter(Optional::isPresent).count());
    }

    @Test
    void queriesAreMaps() {
        assertEquals(JobKind.BATCH_JACOBIAN, JobQuery.jacobian(Map.of()).kind());
    }
}
