package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Interleaved rounds give one figure per method, the reference's ratio is 1, and the methods agree. */
class InterleavedTest {

    @Test
    void convJacobianAtTinySizeInterleaved() {
        Interleaved.Report r = Interleaved.run("conv-jacobian", Size.TINY, List.of("jacflux", "pipeline", "fanout", "floor"), 1, 3);
        assertEquals(List.of("jacflux", "pipeline", "fanout", "floor"), r.figures().stream().map(Interleaved.Figures::method).toList());
        assertEquals(1.0, r.figures().get(0).ratio(), 0.0);
        assertEquals(1.0, r.figures().get(0).cpuRatio(), 0.0);
        for (Interleaved.Figures f : r.figures()) {
            assertTrue(f.medianMs() > 0 && f.ratio() > 0 && f.cpuMs() > 0 && f.cpuRatio() > 0, f.toString());
            assertTrue(f.maxRelDiff() <= BenchOptions.DEFAULT_RELATIVE_TOLERANCE, f.toString());
        }
        assertTrue(r.table().contains("x reference") && r.table().contains("interleaved rounds"), r.table());
    }
}
