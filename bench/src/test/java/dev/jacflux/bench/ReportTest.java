package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** JSON and table of reports, from hand-made figures (deterministic) and from a tiny real run. */
class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> REQUIRED = List.of("method", "median_ms", "min_ms", "max_ms", "runs", "peak_bytes");

    private static CaseReport handMade() {
        Map<String, String> machine = Map.of("cores", "2", "memory_probe", "VmHWM");
        return new CaseReport("demo \"case\"", "what", Size.TINY, 1, machine, List.of(
                new MethodResult("jacflux", "D_y=8", new double[] {3, 1, 2}, 1, 10, 20, 1000, "", 0, 0, "1 chunk"),
                new MethodResult("loop", "D_y=8", new double[] {8, 9, 10, 11}, 1, 1, 2, 1000, "jacflux[D_y=8]", 1e-7, 1e-8, ""),
                new MethodResult("floor", "D_y=8", new double[] {1, 1, 1}, 1, 0, 5, 1000, "jacflux[D_y=8]", 0, 0, "")));
    }

    @Test
    void jsonHasTheDocumentedFields() throws Exception {
        JsonNode root = JSON.readTree(handMade().toJson());
        assertEquals("demo \"case\"", root.get("case").asText());
        JsonNode results = root.get("results");
        assertEquals(3, results.size());
        for (JsonNode r : results) {
            for (String f : REQUIRED) {
                assertTrue(r.has(f), "missing " + f + " in " + r);
            }
        }
        JsonNode jac = results.get(0);
        assertEquals("jacflux[D_y=8]", jac.get("method").asText());
        assertEquals(2.0, jac.get("median_ms").asDouble());
        assertEquals(1.0, jac.get("min_ms").asDouble());
        assertEquals(3.0, jac.get("max_ms").asDouble());
        assertEquals(3, jac.get("runs").asInt());
        assertEquals(30, jac.get("peak_bytes").asLong());
        assertEquals(10, jac.get("peak_heap_bytes").asLong());
        assertEquals(20, jac.get("peak_offheap_bytes").asLong());
        assertEquals(2.0, jac.get("ratio_to_floor").asDouble(), 1e-12);
        assertEquals(2.0 / 9.5, jac.get("ratio_to_loop").asDouble(), 1e-12);
        assertEquals(9.5, results.get(1).get("median_ms").asDouble(), "even count: mean of the middle two");
        assertEquals("jacflux[D_y=8]", results.get(1).get("compared_to").asText());
        assertEquals("2", root.get("machine").get("cores").asText());
    }

    @Test
    void tableShowsRatiosToFloorAndLoop() {
        String table = handMade().toTable();
        String jac = table.lines().filter(l -> l.startsWith("jacflux[D_y=8]")).findFirst().orElseThrow();
        assertTrue(jac.contains(" 2.00 ") && jac.contains(" 0.21 "), jac);
        assertTrue(table.contains("(ref)"), table);
    }

    @Test
    void nonFiniteNumbersBecomeNull() throws Exception {
        MethodResult r = new MethodResult("jacflux", "", new double[] {1}, 0, 0, 0, 0, "", Double.NaN, Double.NaN, "a\nb");
        CaseReport report = new CaseReport("c", "d", Size.TINY, 0, Map.of(), List.of(r));
        JsonNode root = JSON.readTree(report.toJson());
        assertTrue(root.get("results").get(0).get("max_abs_diff").isNull());
        assertEquals("a\nb", root.get("results").get(0).get("note").asText());
        assertTrue(root.get("results").get(0).get("ratio_to_floor").isNull(), "no floor in the group");
    }

    @Test
    void severalReportsNestUnderCases() throws Exception {
        JsonNode root = JSON.readTree(BenchmarkSuite.toJson(List.of(handMade(), handMade())));
        assertEquals("all", root.get("case").asText());
        assertEquals(2, root.get("cases").size());
        assertEquals(3, root.get("cases").get(1).get("results").size());
    }

    @Test
    void commandLineWritesJsonOfARealRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("full-jac.json");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = BenchmarkSuite.cli(new String[] {"--case", "full-jac", "--size", "tiny", "--warmup", "0", "--runs", "1", "--no-gc",
                "--methods", "jacflux,floor", "--quiet", "--json", file.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err));
        assertEquals(0, status, err.toString());
        JsonNode root = JSON.readTree(Files.readString(file));
        assertEquals("full-jac", root.get("case").asText());
        assertEquals(2, root.get("results").size());
        for (JsonNode r : root.get("results")) {
            for (String f : REQUIRED) {
                assertTrue(r.has(f) && !r.get(f).isNull(), "missing " + f + " in " + r);
            }
            assertTrue(r.get("median_ms").asDouble() > 0);
        }
        assertEquals("jacflux", root.get("results").get(0).get("method").asText());
        assertTrue(out.toString().contains("case full-jac"), out.toString());
    }

    @Test
    void commandLineRejectsBadArguments() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream e = new java.io.PrintStream(err);
        java.io.PrintStream o = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
        assertEquals(2, BenchmarkSuite.cli(new String[] {"--case"}, o, e));
        assertEquals(2, BenchmarkSuite.cli(new String[] {"--size", "tiny"}, o, e));
        assertEquals(2, BenchmarkSuite.cli(new String[] {"--case", "nope", "--size", "tiny"}, o, e));
        assertEquals(2, BenchmarkSuite.cli(new String[] {"--case", "hessian", "--methods", "jacflux,magic"}, o, e));
        String msg = err.toString();
        assertTrue(msg.contains("Missing required parameter for option '--case'") && msg.contains("Missing required option: '--case=NAME'")
                && msg.contains("unknown benchmark case 'nope'") && msg.contains("unknown method 'magic'"), msg);
    }
}
