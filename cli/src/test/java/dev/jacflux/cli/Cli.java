package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.model.Model;
import dev.jacflux.model.io.ModelFile;
import dev.jacflux.model.io.Npz;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helpers: run the command line in-process with captured streams; write and read fixture files. */
final class Cli {
    private Cli() {
    }

    /** What a run printed and returned. */
    record Result(int code, String out, String err) {
        /** The stderr lines. */
        List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\\R"));
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /** Runs {@code jacflux args...} in this JVM (progress bars off unless asked for). */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = JacFluxCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs and asserts exit code 0. */
    static Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.code(), () -> r.toString());
        return r;
    }

    /** Saves a model as {@code dir/name.json} + {@code dir/name.npz}. */
    static Path save(Model m, Path dir, String name) {
        Path json = dir.resolve(name + ".json");
        ModelFile.save(m, json);
        return json;
    }

    /** Writes an array as .npy with the model module's writer (independent of the CLI's). */
    static Path npy(Path dir, String name, INDArray a) {
        Path p = dir.resolve(name);
        try {
            Files.write(p, Npz.toNpy(a));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Reads an .npy with the model module's reader. */
    static INDArray read(Path p) {
        return Npz.readNpy(p);
    }

    /** The file names in a directory (to see that nothing, not even a temporary file, was left). */
    static List<String> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest absolute difference, in double. */
    static double maxDiff(INDArray a, INDArray b) {
        assertEquals(Arrays.toString(b.shape()), Arrays.toString(a.shape()), "shape");
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sub(b.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE))
                .amaxNumber().doubleValue();
    }
}
