package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import dev.jacflux.model.layers.Tanh;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
        badNumpyFiles(model);
    }

    /** Corrupt archives, malformed headers and non-finite values (issue 9, defect 5). */
    private static void badNumpyFiles(Path model) throws IOException {
        Model mlp = Fixtures.mlp(3, 1);
        // a flipped bit inside the deflated data of an entry: inflates fine, only the CRC-32 tells
        Cli.save(mlp, dir, "flipd");
        RawNumpy.flipBitInData(dir.resolve("flipd.npz"), "fc1.weight.npy");
        // the same in a STORED entry (np.savez writes STORED archives)
        Map<String, byte[]> stored = new LinkedHashMap<>();
        mlp.stateDict().forEach((k, v) -> stored.put(k, Npz.toNpy(v)));
        withWeights(model, "flips", RawNumpy.storedNpz(stored));
        RawNumpy.flipBitInData(dir.resolve("flips.npz"), "fc2.weight.npy");
        // an entry with a negative dimension
        Map<String, byte[]> negative = new LinkedHashMap<>(stored);
        negative.put("fc1.weight", RawNumpy.f64("(-4, 3)", new double[12]));
        withWeights(model, "negw", RawNumpy.storedNpz(negative));
        // NaN in a bias
        INDArray bias = mlp.parameter("fc2.bias").dup();
        bias.putScalar(1, Double.NaN);
        Map<String, byte[]> nan = new LinkedHashMap<>(stored);
        nan.put("fc2.bias", Npz.toNpy(bias));
        withWeights(model, "nanw", RawNumpy.storedNpz(nan));
        // a 1 GiB zero-filled entry of the wrong shape (a few MB deflated)
        RawNumpy.zeroFilledNpz(dir.resolve("bomb.npz"), "fc1.weight", "(16384, 16384)", 1L << 30);
        Files.writeString(dir.resolve("bomb.json"), Files.readString(model).replace("mlp.npz", "bomb.npz"));

        RawNumpy.write(dir.resolve("xnegdim.npy"), RawNumpy.f64("(-4, 3)", new double[12]));
        RawNumpy.write(dir.resolve("xoverflow.npy"), RawNumpy.f64("(4294967296, 4294967296, 3)", new double[12]));
        RawNumpy.write(dir.resolve("xhdr2.npy"), RawNumpy.npyVersion2(0x7ffffffa,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }\n"));
        byte[] longHeader = RawNumpy.f64("(4, 3)", new double[12]);
        longHeader[8] = (byte) 0x60;   // header length 60000 in a file of a few hundred bytes
        longHeader[9] = (byte) 0xea;
        RawNumpy.write(dir.resolve("xhdr1.npy"), longHeader);
        INDArray xnan = Fixtures.normal(2, 4, 3);
        xnan.putScalar(new long[] {1, 2}, Double.NaN);
        Cli.npy(dir, "xnan.npy", xnan);
        INDArray xinf = Fixtures.normal(2, 4, 3);
        xinf.putScalar(new long[] {3, 0}, Double.NEGATIVE_INFINITY);
        xinf.putScalar(new long[] {3, 2}, Double.NaN);
        Cli.npy(dir, "xinf.npy", xinf);
        INDArray yinf = Fixtures.normal(3, 4, 3);
        yinf.putScalar(new long[] {0, 1}, Double.POSITIVE_INFINITY);
        Cli.npy(dir, "yinf.npy", yinf);
    }

    /** {@code name.json}: the model of {@code model} with its weights in {@code name.npz} = {@code npz}. */
    private static void withWeights(Path model, String name, byte[] npz) throws IOException {
        Files.write(dir.resolve(name + ".npz"), npz);
        Files.writeString(dir.resolve(name + ".json"), Files.readString(model).replace("mlp.npz", name + ".npz"));
    }

    private static String[] jacModel(String model) {
        return new String[] {"jacobian", "--model", p(model), "--input", p("x.npy")};
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
                        "--out-rank 0")),
                // issue 9, defect 5: corrupt archives, malformed headers, non-finite values, decompression bombs
                Arguments.of("weights: flipped bit in deflated data", jacModel("flipd.json"), List.of("flipd.npz",
                        "entry 'fc1.weight.npy'", "CRC-32")),
                Arguments.of("weights: flipped bit in stored data", jacModel("flips.json"), List.of("flips.npz",
                        "entry 'fc2.weight.npy'", "CRC-32")),
                Arguments.of("weights: negative dimension in an entry", jacModel("negw.json"), List.of("negw.npz",
                        "entry 'fc1.weight.npy'", "negative dimension -4")),
                Arguments.of("weights: NaN", jacModel("nanw.json"), List.of("nanw.npz", "'fc2.bias'", "NaN at index [1]",
                        "--non-finite-policy")),
                Arguments.of("weights: 1 GiB zero-filled entry of the wrong shape", jacModel("bomb.json"), List.of("bomb.npz",
                        "'fc1.weight'", "[16384, 16384]", "expected [4, 3]")),
                Arguments.of("input: negative dimension", jacWith("--input", p("xnegdim.npy")), List.of("xnegdim.npy",
                        "negative dimension -4")),
                Arguments.of("input: dimensions overflow 64 bits", jacWith("--input", p("xoverflow.npy")), List.of("xoverflow.npy",
                        "(4294967296, 4294967296, 3)", "overflows")),
                Arguments.of("input: version 2 header length beyond the file", jacWith("--input", p("xhdr2.npy")), List.of("xhdr2.npy",
                        "header length 2147483642", "beyond the end of the file")),
                Arguments.of("input: version 1 header length beyond the file", jacWith("--input", p("xhdr1.npy")), List.of("xhdr1.npy",
                        "header length 60000", "beyond the end of the file")),
                Arguments.of("input: NaN", jacWith("--input", p("xnan.npy")), List.of("xnan.npy", "NaN at index [1, 2]",
                        "--non-finite-policy")),
                Arguments.of("input: infinity before a NaN", jacWith("--input", p("xinf.npy")), List.of("xinf.npy",
                        "-Infinity at index [3, 0]", "1 NaN and 1 infinite")),
                Arguments.of("mse targets: infinity", grads("yinf.npy", "mse"), List.of("yinf.npy", "Infinity at index [0, 1]")));
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
    void nonFiniteInputIsComputedWhenTheOptionAllowsIt() throws IOException {
        Path out = dir.resolve("allowed.npy");
        Cli.ok("jacobian", "--model", p("mlp.json"), "--input", p("xnan.npy"), "--out", out.toString(), "-q",
                "--non-finite-policy", "allow");
        INDArray j = Cli.read(out);
        Files.delete(out);
        assertTrue(Double.isNaN(j.getDouble(1, 0, 0)), "sample 1 holds the NaN: its Jacobian is NaN");
        Model m = ModelFile.load(dir.resolve("mlp.json"), DataType.DOUBLE);
        INDArray x = Npz.readNpy(dir.resolve("xnan.npy"));
        INDArray finite = Fixtures.finiteDifferenceBatchJacobian(m, x, 1e-6);
        for (long s : new long[] {0, 2, 3}) {
            assertTrue(Cli.maxDiff(j.get(NDArrayIndex.point(s)), finite.get(NDArrayIndex.point(s))) < 1e-6, "sample " + s);
        }
    }

    @Test
    void aZeroFilledGibibyteEntryIsRefusedBeforeItIsInflated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Cli.Result r = Cli.run(append(jacModel("bomb.json"), "--out", p("bomb-out.npy")));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(2, r.code(), r::toString);
        assertTrue(allocated < 64L << 20, "refused after allocating " + (allocated >> 20) + " MiB on the heap; the entry is 1 GiB");
        assertFalse(Files.exists(dir.resolve("bomb-out.npy")));
    }

    @Test
    void float32InputIsAccepted() throws IOException {
        Cli.ok("jacobian", "--model", p("two.json"), "--input", p("x32.npy"), "--out", p("ok32.npy"), "-q");
        assertEquals(DataType.FLOAT, Cli.read(dir.resolve("ok32.npy")).dataType());
        Files.delete(dir.resolve("ok32.npy"));
    }
}
