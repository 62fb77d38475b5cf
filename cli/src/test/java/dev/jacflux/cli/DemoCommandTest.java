package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code jacflux demo}, shortened: one line per batch, the summary with throughput, meters, the loop check. */
class DemoCommandTest {
    @Test
    void printsOneLinePerBatchTheSummaryTheMetersAndTheCheck() {
        Cli.Result r = Cli.ok("demo", "--batches", "3", "--batch-size", "8");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("jacflux demo: per-sample gradients (cross_entropy) of a built-in MLP [64] -> 32 tanh -> [10]"
                + " (2410 parameters)"), r.out());
        for (String id : new String[] {"b00", "b01", "b02"}) {
            assertEquals(1, lines.stream().filter(l -> l.startsWith(id + "  8 samples  [8, 2410]")).count(), r.out());
        }
        Matcher m = Pattern.compile("summary: 3/3 batches ok, 24 samples in ([0-9.]+) s = ([0-9]+) samples/s").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(2)) > 0);
        assertTrue(r.out().contains("jacflux.samples{outcome=success}"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+jacflux\\.samples\\{outcome=success} +24")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+jacflux\\.batches\\{outcome=success} +3")), r.out());
        assertTrue(r.out().contains("jacflux.stage.duration{stage=vjp-chunk}"), r.out());
        assertTrue(r.out().contains("check: b00 matches the loop reference (8 single-sample backward passes)"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void quietPrintsOnlyTheSummary() {
        Cli.Result r = Cli.ok("demo", "--batches", "2", "--batch-size", "4", "--quiet");
        assertEquals(1, r.out().lines().count(), r.out());
        assertTrue(r.out().startsWith("summary: 2/2 batches ok, 8 samples"), r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "per-sample-gradient-norms, '[4]', '|g| min'",
        "per-sample-param-jacobian, '[4, 10, 2410]', 'max |J|'",
        "batch-jacobian, '[4, 10, 64]', 'max |J|'",
        "full-jacobian, '[4, 10, 4, 64]', 'max |J|'"})
    void everyJobRunsAndAgreesWithItsLoopReference(String job, String shape, String stat) {
        Cli.Result r = Cli.ok("demo", "--job", job, "--batches", "2", "--batch-size", "4", "--dtype", "float64");
        assertTrue(r.out().contains("b01  4 samples  " + shape), r.out());
        assertTrue(r.out().contains(stat), r.out());
        assertTrue(r.out().contains("summary: 2/2 batches ok"), r.out());
        assertTrue(r.out().contains("check: b00 matches the loop reference"), r.out());
    }

    @Test
    void theStreamIsSeeded() {
        String a = Cli.ok("demo", "--batches", "2", "--batch-size", "4", "--seed", "7").out();
        String b = Cli.ok("demo", "--batches", "2", "--batch-size", "4", "--seed", "7").out();
        String c = Cli.ok("demo", "--batches", "2", "--batch-size", "4", "--seed", "8").out();
        assertEquals(norms(a), norms(b));
        assertTrue(!norms(a).equals(norms(c)));
    }

    private static List<String> norms(String out) {
        // "|g| min 4.193 median 4.695 max 5.937" only: the timing columns after it vary from run to run
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("\\|g\\| min \\S+ median \\S+ max \\S+");
        List<String> found = out.lines().filter(l -> l.startsWith("b0")).map(l -> {
            java.util.regex.Matcher m = p.matcher(l);
            assertTrue(m.find(), "no norm summary in: " + l);
            return m.group();
        }).toList();
        assertEquals(2, found.size(), out);
        return found;
    }

    @Test
    void anUnknownJobIsAUsageError() {
        Cli.Result r = Cli.run("demo", "--job", "telepathy");
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("--job") && r.err().contains("telepathy"), r.err());
    }
}
