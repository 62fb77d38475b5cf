package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every case runs end to end at the tiny size, with every method agreeing with the reference. */
class CasesEndToEndTest {
    static final BenchOptions TINY = BenchOptions.defaults().withSize(Size.TINY).withWarmups(0).withRuns(2).withGcBetweenRuns(false);

    @ParameterizedTest
    @ValueSource(strings = {"conv-jacobian", "mlp-grads", "scaling", "full-jac", "hessian"})
    void caseRunsAndMethodsAgree(String name) {
        CaseReport r = BenchmarkSuite.run(name, TINY);
        assertEquals(name, r.caseName());
        List<String> expected = new ArrayList<>(name.equals("mlp-grads")
                ? List.of("jacflux", "engine", "pipeline", "fanout", "loop", "floor") : List.of("jacflux", "pipeline", "loop", "floor"));
        if (name.equals("conv-jacobian")) {
            expected.add(2, "fanout");
        }
        if (name.equals("conv-jacobian")) {
            expected.add("samediff");
        }
        List<String> groups = r.groups();
        assertEquals(name.equals("scaling") ? 2 : 1, groups.size(), "groups " + groups);
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
