package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Tanh;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every bad-input case: exit code 2, one line on stderr naming the file (or option) and the
 * problem, no output file, an existing output file untouched, no temporary file left behind.
 */
class BadInputTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void fixtures() throws IOException {
        Path model = Cli.save(Fixtures.mlp(3, 1), dir, "mlp");
        Cli.save(Fixtures.mlp(2, 1), dir, "two");
        Cli.save(Model.of(Sequential.of(new long[] {1, 4, 4}, new Tanh()), DataType.DOUBLE), dir, "img");
        Cli.npy(dir, "x.npy", Fixtures.normal(2, 4, 3));
        Cli.npy(dir, "ximg.npy", Fixtures.normal(2, 4, 1, 4, 4));
        Cli.npy(dir, "x32.npy", Fixtures.normal(2, 4, 3).castTo(DataType.FLOAT));
        Cli.npy(dir, "xint.npy", Nd4j.createFromArray(new long[][] {{1, 2, 3}, {4, 5, 6}}));
        Cli.npy(dir, "xwrong.npy", Fixtures.normal(2, 4, 5));
        Cli.npy(dir, "xrank.npy", Fixtures.normal(2, 4, 3, 1));
        Cli.npy(dir, "xscalar.npy", Nd4j.scalar(1.0));
        Cli.npy(dir, "xempty.npy", Nd4j.create(DataType.DOUBLE, 0, 3));
        Cli.npy(dir, "t.npy", Nd4j.createFromArray(new long[] {0, 1, 2, 0}));
        Cli.npy(dir, "t3.npy", Nd4j.createFromArray(new long[] {0, 1, 2}));
        Cli.npy(dir, "trange.npy", Nd4j.createFromArray(new long[] {0, 1, 3, 0}));
        Cli.npy(dir, "tneg.npy", Nd4j.createFromArray(new int[] {0, -1, 2, 0}));
        Cli.npy(dir, "tfloat.npy", Nd4j.createFromArray(new double[] {0, 1, 2, 0}));
        Cli.npy(dir, "t2d.npy", Nd4j.createFromArray(new long[][] {{0}, {1}, {2}, {0}}));
        Cli.npy(dir, "y.npy", Fixtures.normal(3, 4, 3));
        Cli.npy(dir, "ywrong.npy", Fixtures.normal(3, 4, 2));
        Cli.npy(dir, "J.npy", Fixtures.normal(4, 2, 3, 4));
        Files.writeString(dir.resolve("text.npy"), "this is not numpy\n");
        Files.writeString(dir.resolve("broken.json"), "{\"format\": \"jacflux-model/1\", \"input_shape\": [3], \"layers\": [\n");
        Files.writeString(dir.resolve("badlayer.json"), "{\"format\": \"jacflux-model/1\", \"input_shape\": [3], \"weights\": \"mlp.npz\","
                + " \"layers\": [{\"type\": \"linear\", \"name\": \"fc1\", \"in_features\": 3, \"out_features\": 4},"
                + " {\"type\": \"tanhh\"}]}");
        Files.writeString(dir.resolve("noweights.json"), Files.readString(model).replace("mlp.npz", "missing.npz"));
        Files.writeString(dir.resolve("wrongformat.json"), Files.readString(model).replace("jacflux-model/1", "keras/2"));
        Files.createDirectories(dir.resolve("adir.npy"));
    }

    private static String p(String name) {
        return dir.resolve(name).toString();
    }

    private static String[] jac(String... extra) {
        List<String> a = new ArrayList<>(List.of("jacobian", "--model", p("mlp.json"), "--input", p("x.npy")));
        a.addAll(Arrays.asList(extra));
        return a.toArray(String[]::new);
    }

    private static String[] grads(String targets, String loss) {
        return new String[] {"grads", "--model", p("mlp.json"), "--input", p("x.npy"), "--targets", p(targets), "--loss", loss};
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("missing model file", new String[] {"jacobian", "--model", p("nope.json"), "--input", p("x.npy")},
                        List.of("nope.json", "model file not found")),
                Arguments.of("malformed model JSON", new String[] {"jacobian", "--model", p("broken.json"), "--input", p("x.npy")},
                        List.of("broken.json", "not valid JSON")),
                Arguments.of("unknown layer type", new String[] {"jacobian", "--model", p("badlayer.json"), "--input", p("x.npy")},
                        List.of("badlayer.json", "layers[1]", "tanhh")),
                Arguments.of("missing weights", new String[] {"jacobian", "--model", p("noweights.json"), "--input", p("x.npy")},
                        List.of("noweights.json", "missing.npz", "not found")),
                Arguments.of("wrong format string", new String[] {"jacobian", "--model", p("wrongformat.json"), "--input", p("x.npy")},
                        List.of("wrongformat.json", "format", "jacflux-model/1")),
                Arguments.of("model is not a file", new String[] {"jacobian", "--model", dir.toString(), "--input", p("x.npy")},
                        List.of("not a regular file")),
                Arguments.of("missing input file", jacWith("--input", p("none.npy")), List.of("none.npy", "file not found")),
                Arguments.of("input not a .npy", jacWith("--input", p("text.npy")), List.of("text.npy", "not a .npy file")),
                Arguments.of("input is a directory", jacWith("--input", p("adir.npy")), List.of("adir.npy", "not a regular file")),
                Arguments.of("input of integer dtype", jacWith("--input", p("xint.npy")), List.of("xint.npy", "wrong dtype int64",
                        "float32 or float64")),
                Arguments.of("input shape vs input_shape", jacWith("--input", p("xwrong.npy")), List.of("xwrong.npy", "[4, 5]",
                        "input_shape [3]")),
                Arguments.of("input rank vs input_shape", jacWith("--input", p("xrank.npy")), List.of("xrank.npy", "input shape [4, 3, 1]", "input_shape [3]")),
                Arguments.of("scalar input", jacWith("--input", p("xscalar.npy")), List.of("xscalar.npy", "input shape []",
                        "input_shape [3]")),
                Arguments.of("empty batch", jacWith("--input", p("xempty.npy")), List.of("xempty.npy", "empty batch", "[0, 3]")),
                Arguments.of("targets of wrong length", grads("t3.npy", "cross_entropy"), List.of("t3.npy", "wrong length",
                        "3 targets", "4 samples")),
                Arguments.of("target out of range", grads("trange.npy", "cross_entropy"), List.of("trange.npy", "target 3 at index 2",
                        "[0, 3)")),
                Arguments.of("negative target", grads("tneg.npy", "cross_entropy"), List.of("tneg.npy", "target -1 at index 1")),
                Arguments.of("float targets for cross_entropy", grads("tfloat.npy", "cross_entropy"), List.of("tfloat.npy",
                        "wrong dtype float64", "int32 or int64")),
                Arguments.of("targets of rank 2 for cross_entropy", grads("t2d.npy", "cross_entropy"), List.of("t2d.npy", "[4, 1]")),
                Arguments.of("integer targets for mse", grads("t.npy", "mse"), List.of("t.npy", "wrong dtype int64", "mse")),
                Arguments.of("mse targets of the wrong shape", grads("ywrong.npy", "mse"), List.of("ywrong.npy", "[4, 2]", "[4, 3]")),
                Arguments.of("missing targets file", grads("none.npy", "mse"), List.of("none.npy", "file not found")),
                Arguments.of("unknown loss", grads("t.npy", "hinge"), List.of("--loss", "unknown loss 'hinge'", "cross_entropy or mse")),
                Arguments.of("unknown dtype", jac("--dtype", "float16"), List.of("--dtype", "float32 or float64", "float16")),
                Arguments.of("negative chunk size", jac("--chunk-size", "-3"), List.of("--chunk-size", ">= 0")),
                Arguments.of("bad memory budget", jac("--memory-budget", "12XB"), List.of("--memory-budget", "unknown unit 'XB'")),
                Arguments.of("memory budget too small", jac("--memory-budget", "8"), List.of("memory budget", "--memory-budget")),
                Arguments.of("zero threads", jac("--threads", "0"), List.of("--threads", ">= 1")),
                Arguments.of("unknown option", jac("--fast"), List.of("Unknown option", "--fast")),
                Arguments.of("missing required option", new String[] {"jacobian", "--model", p("mlp.json")},
                        List.of("Missing required option", "--input")),
                Arguments.of("--full with --wrt params", jac("--full", "--wrt", "params"), List.of("--full", "--wrt params")),
                Arguments.of("unknown --wrt", jac("--wrt", "weights"), List.of("--wrt", "weights")),
                Arguments.of("hessian: --loss without --targets", new String[] {"hessian", "--model", p("mlp.json"), "--input",
                    p("x.npy"), "--loss", "mse"}, List.of("--loss needs --targets")),
                Arguments.of("hessian: several outputs and no loss", new String[] {"hessian", "--model", p("mlp.json"), "--input",
                    p("x.npy")}, List.of("mlp.json", "3 outputs per sample", "--loss")),
                Arguments.of("input of another model", new String[] {"jacobian", "--model", p("img.json"), "--input", p("x.npy")},
                        List.of("x.npy", "[4, 3]", "input_shape [1, 4, 4]")),
                Arguments.of("cross_entropy on a model without a class vector", new String[] {"grads", "--model", p("img.json"),
                    "--input", p("ximg.npy"), "--targets", p("t.npy"), "--loss", "cross_entropy"}, List.of("img.json",
                        "cross_entropy needs a model", "[1, 4, 4]")),
                Arguments.of("heatmap: sample out of range", new String[] {"heatmap", "--jacobian", p("J.npy"), "--sample", "5"},
                        List.of("J.npy", "sample 5", "[0, 2)")),
                Arguments.of("heatmap: output index out of range", new String[] {"heatmap", "--jacobian", p("J.npy"), "--output-index",
                    "3"}, List.of("J.npy", "output index 3", "[0, 3)")),
                Arguments.of("heatmap: not a .npy", new String[] {"heatmap", "--jacobian", p("text.npy")}, List.of("text.npy",
                        "not a .npy file")),
                Arguments.of("heatmap: image shape does not fit", new String[] {"heatmap", "--jacobian", p("J.npy"), "--output-index",
                    "0", "--image-shape", "3,3"}, List.of("J.npy", "--image-shape [3, 3]", "[4]")),
                Arguments.of("heatmap: too few axes", new String[] {"heatmap", "--jacobian", p("y.npy")}, List.of("y.npy",
                        "--out-rank 0")));
    }

    private static String[] jacWith(String option, String value) {
        return new String[] {"jacobian", "--model", p("mlp.json"), option, value};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputExitsWithCodeTwoAndOneLineAndWritesNothing(String name, String[] args, List<String> mentions) throws IOException {
        List<String> before = Cli.files(dir);
        boolean heatmap = args[0].equals("heatmap");
        Path fresh = dir.resolve(heatmap ? "fresh.png" : "fresh.npy");
        Cli.Result r = Cli.run(append(args, "--out", fresh.toString()));
        assertEquals(2, r.code(), () -> name + ": " + r);
        assertEquals(1, r.errLines().size(), () -> name + ": expected one line on stderr: " + r);
        for (String m : mentions) {
            assertTrue(r.err().contains(m), () -> name + ": stderr should mention '" + m + "': " + r.err());
        }
        assertTrue(r.err().startsWith("jacflux " + args[0] + ": "), r.err());
        assertEquals(before, Cli.files(dir), name + ": no output and no temporary file may be left");

        Path existing = dir.resolve(heatmap ? "keep.png" : "keep.npy");
        Files.writeString(existing, "precious");
        try {
            Cli.Result again = Cli.run(append(args, "--out", existing.toString()));
            assertEquals(2, again.code(), () -> name + ": " + again);
            assertEquals("precious", Files.readString(existing), name + ": an existing output must survive a failed run");
        } finally {
            Files.delete(existing);
        }
    }

    private static String[] append(String[] a, String... more) {
        List<String> l = new ArrayList<>(Arrays.asList(a));
        l.addAll(Arrays.asList(more));
        return l.toArray(String[]::new);
    }

    @Test
    void outputDirectoryMustExist() {
        Cli.Result r = Cli.run(jac("--out", p("nodir/J.npy")));
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().contains("nodir/J.npy (--out): the directory") && r.err().contains("does not exist"), r.err());
    }

    @Test
    void outputMayNotBeADirectory() {
        Cli.Result r = Cli.run(jac("--out", p("adir.npy")));
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("adir.npy (--out): is a directory"), r.err());
    }

    @Test
    void float32InputIsAccepted() throws IOException {
        Cli.ok("jacobian", "--model", p("two.json"), "--input", p("x32.npy"), "--out", p("ok32.npy"), "-q");
        assertEquals(DataType.FLOAT, Cli.read(dir.resolve("ok32.npy")).dataType());
        Files.delete(dir.resolve("ok32.npy"));
    }
}
