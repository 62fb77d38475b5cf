package dev.jacflux.autodiff.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The shared mechanism of the engine's scratch and the ghost passes' memory (their recovery tests cover failures in use). */
class ThreadWorkspaceTest {
    private static final ThreadWorkspace WS = ThreadWorkspace.named("JACFLUX_TEST_WORKSPACE");

    @Test
    void aBlockRunsInsideAndTheThreadIsOutsideAfterwards() {
        INDArray out = Nd4j.create(DataType.DOUBLE, 4);
        boolean inside = WS.call(() -> {
            out.assign(Nd4j.ones(DataType.DOUBLE, 4).muli(3));
            return ThreadWorkspace.active();
        });
        assertTrue(inside);
        assertFalse(ThreadWorkspace.active());
        assertEquals(12.0, out.sumNumber().doubleValue(), 0.0);
    }

    @Test
    void aFailedBlockLeavesTheThreadOutsideAndTheNextBlockWorks() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WS.run(() -> {
            Nd4j.ones(DataType.DOUBLE, 8);
            throw new IllegalStateException("injected");
        }));
        assertEquals("injected", e.getMessage());
        assertFalse(ThreadWorkspace.active());
        assertEquals(8.0, WS.call(() -> Nd4j.ones(DataType.DOUBLE, 8).sumNumber().doubleValue()), 0.0);
    }

    @Test
    void aNameIsNeeded() {
        assertEquals("thread workspace: a name is needed, got ' '",
                assertThrows(IllegalArgumentException.class, () -> ThreadWorkspace.named(" ")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThreadWorkspace.named(null));
    }
}
