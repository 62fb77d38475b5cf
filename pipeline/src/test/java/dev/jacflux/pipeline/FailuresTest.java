package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.MemoryBudgetException;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.model.ModelException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Each failure gets the reason of its root cause, and out-of-memory anywhere in the chain is a budget failure. */
class FailuresTest {
    private static final Batch BATCH = Batch.of("b7", Fixtures.random(1, DataType.DOUBLE, 2, 3));
    private static final Failures FAILURES = new Failures(PipelineConfig.builder().job(JobKind.BATCH_JACOBIAN).memoryBudget("512MiB").build(), 4);

    @Test
    void reasons() {
        assertEquals(FailureReason.BUDGET, Failures.classify(new OutOfMemoryError("Java heap space")));
        assertEquals(FailureReason.BUDGET, Failures.classify(new AutodiffException("vjp of 'matmul' failed: std::bad_alloc",
                new RuntimeException("std::bad_alloc"))), "a bad_alloc wrapped as a shape error is still out of memory");
        assertEquals(FailureReason.BUDGET, Failures.classify(new RuntimeException("Allocation failed: [std::bad_alloc]")));
        assertEquals(FailureReason.BUDGET, Failures.classify(new IllegalStateException("outer", new OutOfMemoryError("Direct buffer memory"))));
        assertEquals(FailureReason.BUDGET, Failures.classify(new MemoryBudgetException("too big", 100, 10)));
        assertEquals(FailureReason.NON_FINITE, Failures.classify(new NonFiniteInputException("NaN")));
        assertEquals(FailureReason.SHAPE, Failures.classify(new AutodiffException("matmul: inner dimensions differ")));
        assertEquals(FailureReason.SHAPE, Failures.classify(new IllegalArgumentException("empty batch")));
        assertEquals(FailureReason.SHAPE, Failures.classify(new ModelException("batch jacobian refused: layer 1 'bn'")));
        assertEquals(FailureReason.INTERNAL, Failures.classify(new IllegalStateException("a bug")));
    }

    @Test
    void messagesNameTheBatchAndWhatToChange() {
        BatchFailure oom = FAILURES.of(BATCH, new OutOfMemoryError("Java heap space"));
        assertEquals(FailureReason.BUDGET, oom.reason());
        assertTrue(oom.message().startsWith("batch b7: out of memory (Java heap space)") && oom.message().contains("512MiB"), oom.message());
        BatchFailure budget = FAILURES.of(BATCH, new MemoryBudgetException("chunk planner: ...", 5L << 20, 128L << 20));
        assertTrue(budget.message().contains("batch b7: one row needs about 5.0MiB") && budget.message().contains("128MiB that each of the 4 chunks")
                && budget.message().contains("memory budget 512MiB"), budget.message());
        BatchFailure shape = FAILURES.of(BATCH, new AutodiffException("matmul: inner dimensions differ"));
        assertEquals("matmul: inner dimensions differ", shape.message());
        assertEquals("b7", shape.batchId());
    }

    @Test
    void approximateSizes() {
        assertEquals("512B", Failures.approximately(512));
        assertEquals("7.5KiB", Failures.approximately(7680));
        assertEquals("4.6MiB", Failures.approximately(4_849_664));
    }
}
