package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jacflux bench} end to end: the launcher dispatches the command to this module's own
 * packaged artifact (failsafe runs this after {@code package}), which runs a case and writes its
 * report.
 */
class BenchLauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path cwd;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/jacflux").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("JACFLUX_NO_BUILD", "1");
        File out = cwd.resolve("out.txt").toFile();
        File err = cwd.resolve("err.txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "launcher finished");
        return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    @Test
    void benchRunsFromItsOwnArtifact() throws Exception {
        assertTrue(Files.isDirectory(ROOT.resolve("bench/target/lib")), "bench/target/lib is packaged before integration tests");
        Run r = run("bench", "--case", "hessian", "--size", "tiny", "--methods", "jacflux,loop,floor", "--runs", "1", "--warmup", "0",
                "--quiet", "--json", "h.json", "--threads", "1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("hessian") && r.out().contains("x floor") && r.out().contains("x loop"), r.out());
        String json = Files.readString(cwd.resolve("h.json"));
        assertTrue(json.contains("\"case\": \"hessian\"") && json.contains("\"method\": \"loop\""), json);
        Run help = run("bench", "--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().contains("--case") && help.out().contains("bin/jacflux bench"), help.out());
        Run bad = run("bench", "--case", "nope", "--quiet");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("nope"), bad.err());
    }
}
