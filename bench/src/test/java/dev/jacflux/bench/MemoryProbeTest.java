package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The off-heap figure: it counts a native array touched inside the window, it keeps the peak of an
 * array freed before the window closes, and it does not count an array freed before the baseline.
 * Arrays are freed explicitly ({@code close()}), not by the garbage collector, and the test waits
 * until the sampler has taken samples of a state (no fixed sleeps), so the outcomes do not depend
 * on timing.
 */
class MemoryProbeTest {
    private static final long MIB = 1L << 20;

    @BeforeAll
    static void warmUp() {
        Nd4j.ones(DataType.FLOAT, 1024).addi(1.0);   // ND4J's own first-use memory before any baseline
    }

    /** Waits until the window's sampler has taken two more samples than now (at most 10 s). */
    private static void awaitSamples(MemoryProbe.Window w) {
        long target = w.samples() + 2;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (w.samples() < target) {
            assertTrue(System.nanoTime() < deadline, "the sampler took no samples within 10 s");
            LockSupport.parkNanos(100_000);
        }
    }

    @Test
    void nativeArraysTouchedInsideTheWindowCount() {
        MemoryProbe.settle();
        MemoryProbe.Baseline base = MemoryProbe.baseline();
        INDArray held = Nd4j.createUninitialized(DataType.FLOAT, 16, 1024, 1024);   // 64 MiB, untouched
        MemoryProbe.Window w = MemoryProbe.startWindow();
        held.assign(1.0);
        MemoryProbe.Peak peak = w.stop(base);
        assertTrue(peak.offHeapBytes() >= 60 * MIB, "64 MiB array read as " + peak.offHeapBytes() / MIB + " MiB");
        assertTrue(peak.offHeapBytes() < 112 * MIB, "the baseline is subtracted: 64 MiB array read as " + peak.offHeapBytes() / MIB + " MiB");
        held.close();
    }

    @Test
    void anArrayFreedInsideTheWindowStillCountsAtItsPeak() {
        MemoryProbe.settle();
        MemoryProbe.Baseline base = MemoryProbe.baseline();
        MemoryProbe.Window w = MemoryProbe.startWindow();
        INDArray transient64 = Nd4j.createUninitialized(DataType.FLOAT, 16, 1024, 1024);
        transient64.assign(2.0);
        awaitSamples(w);   // the sampler has seen the array resident
        transient64.close();
        long afterFree = MemoryProbe.anonBytes() - base.anon();
        MemoryProbe.Peak peak = w.stop(base);
        assertTrue(afterFree < 32 * MIB, "close() returned the memory: " + afterFree / MIB + " MiB still resident");
        assertTrue(peak.offHeapBytes() >= 60 * MIB, "a 64 MiB array freed before stop read as " + peak.offHeapBytes() / MIB + " MiB");
    }

    @Test
    void anArrayFreedBeforeTheBaselineDoesNotCount() {
        INDArray garbage = Nd4j.ones(DataType.FLOAT, 16, 1024, 1024);   // 64 MiB, touched
        garbage.close();
        MemoryProbe.settle();
        MemoryProbe.Baseline base = MemoryProbe.baseline();
        MemoryProbe.Window w = MemoryProbe.startWindow();
        INDArray small = Nd4j.ones(DataType.FLOAT, 1024);
        awaitSamples(w);
        MemoryProbe.Peak peak = w.stop(base);
        assertTrue(peak.offHeapBytes() < 32 * MIB, "nothing large held, read " + peak.offHeapBytes() / MIB + " MiB");
        small.close();
    }
}
