package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The dp-step case at the tiny size: its groups, methods and ratios (timings are for the benchmark, not checked here). */
class DpStepCaseTest {
    @Test
    void runsEveryGroupWithoutComparingNoisyResults() {
        CaseReport r = BenchmarkSuite.run("dp-step", CasesEndToEndTest.TINY);
        assertEquals(List.of("secure", "seeded", "lenet-secure", "lenet-seeded", "noise", "hardening", "account"), r.groups());
        assertEquals(List.of("jacflux[secure]", "floor[secure]", "jacflux[seeded]", "floor[seeded]",
                "jacflux[lenet-secure]", "floor[lenet-secure]", "jacflux[lenet-seeded]", "floor[lenet-seeded]", "jacflux[noise]", "floor[noise]",
                "jacflux[hardening]", "floor[hardening]", "jacflux[account]"), r.results().stream().map(MethodResult::display).toList());
        for (MethodResult m : r.results()) {
            assertEquals("", m.comparedTo(), m.display() + ": noisy results are not compared");
            assertTrue(m.medianMs() > 0, m.display());
        }
        double ratio = r.ratio("jacflux[secure]", "floor");
        assertEquals(r.result("jacflux[secure]").medianMs() / r.result("floor[secure]").medianMs(), ratio, 1e-12);
        assertTrue(r.toTable().contains("jacflux[secure]"), r.toTable());
    }

    /** Methods that disagree fail a compared group and pass an uncompared one. */
    @Test
    void onlyComparedGroupsCheckAgreement() {
        for (boolean compared : new boolean[] {true, false}) {
            BenchCase c = new BenchCase() {
                @Override
                public String name() {
                    return "disagree";
                }

                @Override
                public String description(Size size) {
                    return "two different results";
                }

                @Override
                public List<MethodGroup> groups(BenchOptions options) {
                    return List.of(new MethodGroup("", "(2)", List.of(
                            Methods.plain("jacflux", () -> org.nd4j.linalg.factory.Nd4j.createFromArray(1.0, 2.0)),
                            Methods.plain("floor", () -> org.nd4j.linalg.factory.Nd4j.createFromArray(1.0, 3.0))), compared));
                }
            };
            if (compared) {
                org.junit.jupiter.api.Assertions.assertThrows(DisagreementException.class, () -> CaseRunner.run(c, CasesEndToEndTest.TINY));
            } else {
                assertEquals("", CaseRunner.run(c, CasesEndToEndTest.TINY).result("floor").comparedTo());
            }
        }
    }
}
