package dev.jacflux.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's examples run and print what the README says they print. */
class ReadmeExamplesTest {

    private static String run(Runnable main) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void quickstartRuns() {
        String out = run(() -> QuickstartExample.main(new String[0]));
        assertTrue(out.contains("batch Jacobian [64, 32, 512]"), out);
        String diff = out.lines().filter(l -> l.startsWith("max |difference|")).findFirst().orElseThrow();
        double d = Double.parseDouble(diff.substring(diff.indexOf(':') + 1).trim());
        assertTrue(d < 1e-4, "batched and row-loop Jacobians differ by " + d);
        assertTrue(out.contains("vjp [64, 512], grad [64, 512]"), out);
    }

    @Test
    void embeddedPipelineRuns() {
        String out = run(() -> EmbeddedPipelineExample.main(new String[0]));
        assertTrue(out.contains("b0 ok [16, 10, 784]"), out);
        assertTrue(out.contains("b5 ok"), out);
        // the successful-batches counter itself reads 6: one line per meter, "name [tags] statistic=value"
        List<String> successes = out.lines().filter(l -> l.startsWith("jacflux.batches ") && l.contains("tag(outcome=success)")).toList();
        assertEquals(1, successes.size(), out);
        assertTrue(successes.get(0).endsWith(" count=6.0"), successes.get(0));
        assertTrue(out.lines().noneMatch(l -> l.startsWith("jacflux.batches ") && l.contains("tag(outcome=failure)")
                && !l.endsWith(" count=0.0")), "no failed batches: " + out);
    }
}
