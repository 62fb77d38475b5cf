package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** {@code jacflux train} with bad usage or bad input: exit 2, one line on stderr naming the file or option, no model written. */
class TrainBadInputTest {
    @org.junit.jupiter.api.io.TempDir
    static Path dir;

    @BeforeAll
    static void fixtures() throws IOException {
        Cli.save(Fixtures.mlp(3, 1), dir, "mlp");
        npz("data.npz", Map.of("x", Fixtures.normal(1, 20, 3), "y", Nd4j.createFromArray(new long[20]).addi(1)));
        npz("nox.npz", Map.of("y", Nd4j.createFromArray(new long[20])));
        npz("xwrong.npz", Map.of("x", Fixtures.normal(1, 20, 5), "y", Nd4j.createFromArray(new long[20])));
        npz("yrange.npz", Map.of("x", Fixtures.normal(1, 20, 3), "y", Nd4j.createFromArray(new long[20]).addi(3)));
        npz("ylength.npz", Map.of("x", Fixtures.normal(1, 20, 3), "y", Nd4j.createFromArray(new long[19])));
        npz("yfloat.npz", Map.of("x", Fixtures.normal(1, 20, 3), "y", Fixtures.normal(2, 20)));
        npz("xint.npz", Map.of("x", Nd4j.createFromArray(new long[20][3]), "y", Nd4j.createFromArray(new long[20])));
        Files.writeString(dir.resolve("afile"), "x");
        // a directory that already holds a training
        Cli.ok("train", "--model", p("mlp.json"), "--data", p("data.npz"), "--out", p("taken"), "--steps", "1", "--batch-size", "5", "--quiet");
    }

    private static void npz(String name, Map<String, org.nd4j.linalg.api.ndarray.INDArray> arrays) throws IOException {
        Files.write(dir.resolve(name), Npz.toNpz(arrays));
    }

    private static String p(String name) {
        return dir.resolve(name).toString();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no data file", "--data missing.npz", "missing.npz (--data): file not found"),
                Arguments.of("data not npz", "--data mlp.json", "(--data): not a NumPy .npz archive"),
                Arguments.of("no x", "--data nox.npz", "expected arrays 'x' and 'y'"),
                Arguments.of("x shape", "--data xwrong.npz", "x of shape [20, 5] does not match the model's input_shape [3]"),
                Arguments.of("x dtype", "--data xint.npz", "x has dtype int64; expected float32 or float64"),
                Arguments.of("class out of range", "--data yrange.npz", "y[0] = 3 is out of range"),
                Arguments.of("y length", "--data ylength.npz", "does not have one row per example of x (20)"),
                Arguments.of("float y, mse shape", "--data yfloat.npz", "mse expects targets of the output's shape"),
                Arguments.of("dp without noise", "--dp", "--dp needs --noise-multiplier S or --target-epsilon E"),
                Arguments.of("noise without dp", "--noise-multiplier 1", "--noise-multiplier needs --dp"),
                Arguments.of("epochs and steps", "--epochs 1 --steps 3", "mutually exclusive"),
                Arguments.of("batch too large", "--batch-size 21", "the batch size 21 exceeds the 20 examples"),
                Arguments.of("lr", "--lr -1", "--lr must be a finite number > 0"),
                Arguments.of("sampling", "--sampling random", "--sampling must be poisson or shuffle"),
                Arguments.of("target with shuffle", "--dp --target-epsilon 1 --sampling shuffle", "needs Poisson sampling"),
                Arguments.of("budget too low", "--dp --target-epsilon 1e-7 --steps 50 --batch-size 20", "too low"),
                Arguments.of("out is a file", "--out afile", "afile (--out): is a file"),
                Arguments.of("resume without checkpoint", "--resume --out fresh", "fresh (--out): no checkpoint to resume from"),
                Arguments.of("a training is there", "--out taken", "taken (--out): holds the checkpoints of a training; use --resume"),
                Arguments.of("resume with other settings", "--resume --out taken --batch-size 6",
                        "field 'batch_size' is 5 in the checkpoint but 6"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exitTwoWithOneLine(String name, String extra, String message) {
        String out = "out-" + name.replace(' ', '-');
        Map<String, String> options = new java.util.LinkedHashMap<>();
        options.put("--model", p("mlp.json"));
        options.put("--data", p("data.npz"));
        options.put("--out", p(out));
        options.put("--batch-size", "5");
        options.put("--steps", "2");
        List<String> e = Arrays.asList(extra.split(" "));
        for (int i = 0; i < e.size(); i++) {
            boolean flag = i + 1 == e.size() || e.get(i + 1).startsWith("--");
            String value = flag ? null : e.get(++i);
            String key = e.get(i - (flag ? 0 : 1));
            options.put(key, value != null && (key.equals("--data") || key.equals("--out")) ? p(value) : value);
        }
        List<String> a = new ArrayList<>(List.of("train"));
        options.forEach((k, v) -> {
            a.add(k);
            if (v != null) {
                a.add(v);
            }
        });
        Path weights = Path.of(options.get("--out")).resolve("weights.npz");
        byte[] before = read(weights);
        Cli.Result r = Cli.run(a.toArray(String[]::new));
        assertEquals(JacFluxCli.BAD_INPUT, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().contains(message), r::toString);
        assertTrue(r.err().startsWith("jacflux train: "), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
        assertTrue(Arrays.equals(before, read(weights)), "no model written (or the existing one untouched)");
    }

    private static byte[] read(Path f) {
        try {
            return Files.exists(f) ? Files.readAllBytes(f) : null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
