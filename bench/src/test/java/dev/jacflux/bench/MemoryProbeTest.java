package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The off-heap figure sees a native array allocated after the baseline, and not one freed before it. */
class MemoryProbeTest {
    private static final long MIB = 1L << 20;

    @Test
    void nativeArraysAllocatedAfterTheBaselineCount() {
        MemoryProbe.settle();
        MemoryProbe.Baseline base = MemoryProbe.baseline();
        INDArray held = Nd4j.createUninitialized(DataType.FLOAT, 16, 1024, 1024);   // 64 MiB
        MemoryProbe.Window w = MemoryProbe.startWindow();
        held.assign(1.0);
        MemoryProbe.Peak peak = w.stop(base);
        assertTrue(peak.offHeapBytes() >= 60 * MIB && peak.offHeapBytes() < 200 * MIB, "64 MiB array read as " + peak.offHeapBytes() / MIB + " MiB");
        assertTrue(held.getDouble(3) == 1.0);
    }

    @Test
    void nothingHeldReadsSmall() {
        INDArray garbage = Nd4j.ones(DataType.FLOAT, 16, 1024, 1024);
        garbage = null;
        MemoryProbe.settle();
        MemoryProbe.Baseline base = MemoryProbe.baseline();
        MemoryProbe.Window w = MemoryProbe.startWindow();
        INDArray small = Nd4j.ones(DataType.FLOAT, 1024);
        MemoryProbe.Peak peak = w.stop(base);
        assertTrue(peak.offHeapBytes() < 32 * MIB, "nothing large held, read " + peak.offHeapBytes() / MIB + " MiB");
        assertTrue(small.length() == 1024 && garbage == null);
    }
}
