package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every case runs end to end at the tiny size, with every method agreeing with the reference. */
class CasesEndToEndTest {
    static final BenchOptions TINY = BenchOptions.defaults().withSize(Size.TINY).withWarmups(0).withRuns(2).withGcBetweenRuns(false);

    @ParameterizedTest
    @ValueSource(strings = {"conv-jacobian", "mlp-grads", "scaling", "full-jac", "hessian", "lenet-jacobian", "lenet-grads", "lenet-norms",
        "cnn-jacobian", "cnn-grads", "cnn-norms"})
    void caseRunsAndMethodsAgree(String name) {
        CaseReport r = BenchmarkSuite.run(name, TINY);
        assertEquals(name, r.caseName());
        List<String> expected = new ArrayList<>(name.endsWith("-grads")
                ? List.of("jacflux", "jacflux-fresh", "engine", "pipeline", "loop", "floor")
                : name.endsWith("-norms") ? List.of("jacflux", "jacflux-fresh", "via-matrix", "pipeline", "loop", "floor")
                : List.of("jacflux", "jacflux-fresh", "pipeline", "loop", "floor"));
        if (name.equals("conv-jacobian") || name.equals("mlp-grads")) {
            expected.add(expected.indexOf("pipeline") + 1, "fanout");
        }
        if (name.equals("conv-jacobian")) {
            expected.add("samediff");
        }
        List<String> groups = r.groups();
        assertEquals(name.equals("scaling") || name.startsWith("cnn-") ? 2 : 1, groups.size(), "groups " + groups);
        for (String g : groups) {
            List<String> methods = r.results().stream().filter(m -> m.group().equals(g)).map(MethodResult::method).toList();
            assertEquals(expected, methods, "methods of group '" + g + "'");
        }
        for (MethodResult m : r.results()) {
            assertEquals(2, m.runs(), m.display());
            assertTrue(m.minMs() > 0 && m.minMs() <= m.medianMs() && m.medianMs() <= m.maxMs(), m.toString());
            assertTrue(m.peakBytes() >= 0 && m.peakRssBytes() > 0, m.toString());
            if (m.method().equals("jacflux")) {
                assertEquals("", m.comparedTo(), "jacflux is the reference");
            } else {
                assertEquals(r.results().stream().filter(x -> x.group().equals(m.group())).findFirst().orElseThrow().display(), m.comparedTo());
                assertTrue(m.maxRelDiff() <= BenchOptions.DEFAULT_RELATIVE_TOLERANCE, m.display() + " differs by " + m.maxRelDiff());
            }
        }
        assertTrue(r.toTable().contains("x floor") && r.toTable().contains("x loop"), r.toTable());
    }

    /**
     * Every method's result against the case's loop method (one backward pass per output row or
     * per sample: the independent reference, not the library call under test), element by element
     * with a tolerance relative to each entry (plus float32 rounding of the largest entry), so that
     * a wrong small entry cannot hide behind a large one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"conv-jacobian", "mlp-grads", "scaling", "full-jac", "hessian"})
    void everyMethodEqualsTheLoopReferenceEntryByEntry(String name) {
        for (MethodGroup g : BenchmarkSuite.caseNamed(name).groups(TINY)) {
            INDArray loop = resultOf(g, "loop");
            double largest = loop.amaxNumber().doubleValue();
            assertTrue(largest > 0 && Double.isFinite(largest), name + ": the reference is not trivially zero");
            for (BenchMethod m : g.methods()) {
                if (m.name().equals("loop")) {
                    continue;
                }
                INDArray r = resultOf(g, m.name());
                // methods may lay out the same entries differently (e.g. [B, D_y, D_x] or [B, *out, *in]): same entries, C order
                assertEquals(loop.length(), r.length(), g.display(m.name()) + " " + java.util.Arrays.toString(r.shape()));
                double[] e = loop.castTo(DataType.DOUBLE).dup('c').reshape(loop.length()).toDoubleVector();
                double[] a = r.castTo(DataType.DOUBLE).dup('c').reshape(r.length()).toDoubleVector();
                for (int i = 0; i < e.length; i++) {
                    double tol = 1e-6 * largest + 1e-3 * Math.abs(e[i]);
                    if (!(Math.abs(a[i] - e[i]) <= tol)) {
                        fail(name + " " + g.display(m.name()) + ": entry " + i + " is " + a[i] + ", the loop gives " + e[i]
                                + " (tolerance " + tol + ")");
                    }
                }
            }
        }
    }

    /** One run of the named method of a group, as a detached copy. */
    private static INDArray resultOf(MethodGroup g, String method) {
        BenchMethod m = g.methods().stream().filter(x -> x.name().equals(method)).findFirst().orElseThrow();
        try (BenchMethod.Prepared p = m.prepare()) {
            return p.run().dup();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scaling"})
    void groupsAreNamedByOutputWidth(String name) {
        CaseReport r = BenchmarkSuite.run(name, TINY.withMethods(java.util.Set.of("jacflux", "floor")));
        assertEquals(List.of("D_y=2", "D_y=3"), r.groups());
        assertEquals("jacflux[D_y=3]", r.result("jacflux[D_y=3]").display());
        double ratio = r.ratio("jacflux[D_y=3]", "floor");
        assertEquals(r.result("jacflux[D_y=3]").medianMs() / r.result("floor[D_y=3]").medianMs(), ratio, 1e-12);
    }
}
