package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jacflux} as a process, from another working directory: the exit code and the streams
 * come through {@code exec}. Runs only when the packaged jar exists (after {@code mvn package} or a
 * first launcher run), so that the test never starts a nested Maven build.
 */
class LauncherTest {
    @TempDir
    Path cwd;

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static boolean packaged() throws IOException {
        Path target = ROOT.resolve("cli/target");
        if (!Files.isDirectory(target.resolve("lib"))) {
            return false;
        }
        try (Stream<Path> s = Files.list(target)) {
            return s.anyMatch(p -> p.getFileName().toString().matches("jacflux-cli-.*\\.jar"));
        }
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/jacflux").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("JACFLUX_NO_BUILD", "1");
        File out = cwd.resolve("out.txt").toFile();
        File err = cwd.resolve("err.txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher finished");
        return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8), Files.readString(err.toPath(),
                StandardCharsets.UTF_8));
    }

    @Test
    void theLauncherRunsThePackagedCliFromAnyDirectory() throws Exception {
        assumeTrue(Files.isExecutable(ROOT.resolve("bin/jacflux")), "bin/jacflux is executable");
        assumeTrue(packaged(), "cli jar not packaged yet");
        Run v = run("--version");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("jacflux "), v.out());
        Run bad = run("jacobian", "--model", "missing.json", "--input", "x.npy", "--out", "J.npy", "--threads", "1");
        assertEquals(2, bad.code(), bad.toString());
        assertEquals("jacflux jacobian: missing.json (--model): model file not found\n", bad.err());
        assertEquals(List.of("err.txt", "out.txt"), Cli.files(cwd));
    }
}
