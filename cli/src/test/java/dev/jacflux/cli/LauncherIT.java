package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bin/jacflux} end to end as a process, from another working directory, against the jar
 * and {@code lib/} that {@code mvn verify} has just packaged (failsafe runs this after
 * {@code package}): exit codes and streams come through {@code exec}, a real command computes
 * the right values, and the cli's runtime class path holds no benchmark code.
 */
class LauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path cwd;

    @BeforeAll
    static void packaged() throws IOException {
        assertTrue(Files.isExecutable(ROOT.resolve("bin/jacflux")), "bin/jacflux is executable");
        assertTrue(Files.isDirectory(ROOT.resolve("cli/target/lib")), "cli/target/lib is packaged before integration tests");
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/jacflux").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("JACFLUX_NO_BUILD", "1");
        pb.environment().remove("JACFLUX_DEBUG");
        File out = cwd.resolve("out.txt").toFile();
        File err = cwd.resolve("err.txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "launcher finished");
        Run r = new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8), Files.readString(err.toPath(),
                StandardCharsets.UTF_8));
        Files.delete(out.toPath());
        Files.delete(err.toPath());
        return r;
    }

    @Test
    void versionHelpAndABadInputComeThroughTheLauncher() throws Exception {
        Run v = run("--version");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("jacflux 0."), v.out());
        Run help = run("--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().contains("  bench ") && help.out().contains("jacobian"), help.out());
        Run bad = run("jacobian", "--model", "missing.json", "--input", "x.npy", "--out", "J.npy", "--threads", "1");
        assertEquals(2, bad.code(), bad.toString());
        assertEquals("jacflux jacobian: missing.json (--model): model file not found\n", bad.err());
        assertEquals(List.of(), Cli.files(cwd), "nothing written");
    }

    @Test
    void theExampleJacobianComputedByThePackagedCliMatchesTheLoopReference() throws Exception {
        Path example = ROOT.resolve("examples/mnist-mlp");
        Run r = run("jacobian", "--model", example.resolve("model.json").toString(), "--input", example.resolve("input.npy").toString(),
                "--out", "J.npy", "--dtype", "float64", "--threads", "1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("J.npy: batch jacobian [4, 10, 1, 14, 14] float64"), r.out());
        Model m = ModelFile.load(example.resolve("model.json"), DataType.DOUBLE);
        List<Tensor> p = m.parameters().stream().map(Tensor::constant).toList();
        INDArray ref = RowLoop.batchJacobian(x -> m.forward(x, p), Npz.readNpy(example.resolve("input.npy")).castTo(DataType.DOUBLE));
        INDArray j = Npz.readNpy(cwd.resolve("J.npy"));
        assertEquals(DataType.DOUBLE, j.dataType());
        double scale = ref.amaxNumber().doubleValue();
        assertTrue(scale > 0);
        assertTrue(Cli.maxDiff(j, ref) <= 1e-12 * scale, "max |diff| " + Cli.maxDiff(j, ref) + " of max |J| " + scale);
    }

    @Test
    void nonFiniteInputIsRefusedThroughTheLauncher() throws Exception {
        Path example = ROOT.resolve("examples/mnist-mlp");
        INDArray x = Npz.readNpy(example.resolve("input.npy"));
        x.putScalar(new long[] {2, 0, 5, 7}, Float.NaN);
        Files.write(cwd.resolve("x.npy"), Npz.toNpy(x));
        Run r = run("grads", "--model", example.resolve("model.json").toString(), "--input", "x.npy", "--targets",
                example.resolve("labels.npy").toString(), "--loss", "cross_entropy", "--out", "G.npy");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("jacflux grads: x.npy (--input) [4, 1, 14, 14] contains 1 NaN and 0 infinite values, the first NaN"
                + " at index [2, 0, 5, 7]"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals(List.of("x.npy"), Cli.files(cwd));
    }

    @Test
    void theCliRuntimeHoldsNoBenchmarkCode() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("cli/target/lib"))) {
            List<String> jars = s.map(f -> f.getFileName().toString()).toList();
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("jacflux-model-")), jars.toString());
            assertFalse(jars.stream().anyMatch(j -> j.startsWith("jacflux-bench") || j.startsWith("jmh-")), jars.toString());
        }
    }
}
