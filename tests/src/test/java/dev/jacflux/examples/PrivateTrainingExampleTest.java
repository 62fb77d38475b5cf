package dev.jacflux.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's private-training example runs and prints what the README shows (its noise is secure, so values vary a little). */
class PrivateTrainingExampleTest {
    @TempDir
    Path dir;

    @Test
    void privateTrainingExampleRuns() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            PrivateTrainingExample.main(new String[] {dir.toString()});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        List<String> steps = out.lines().filter(l -> l.startsWith("step ")).toList();
        assertEquals(4, steps.size(), out);
        assertTrue(steps.get(3).startsWith("step 100") && steps.get(3).endsWith("private"), out);
        double eps = Double.parseDouble(steps.get(3).replaceAll(".*epsilon ([0-9.]+).*", "$1"));
        assertTrue(eps <= 2.0 && eps >= 1.999, out);
        assertTrue(out.contains("noise multiplier 1.4447 (calibrated)"), out);
        assertTrue(out.contains("stopped: EPOCHS after 100 steps"), out);
        assertTrue(out.contains("meters: 100 steps"), out);
        assertTrue(out.contains("resumed at step 100 with epsilon 1.999; stopped: TARGET_EPSILON at step 100"), out);
        assertTrue(out.contains("accountant alone: epsilon 2.5967"), out);
    }
}
