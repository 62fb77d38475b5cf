package dev.jacflux.cli;

import dev.jacflux.training.StepResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code DIR/steps.ndjson}: one {@link StepResult#toJson()} line per step, appended and flushed as
 * each step finishes. A resumed training first drops the lines of steps after its checkpoint (an
 * interrupted run may have logged steps that the resumed run repeats), so every step appears once.
 *
 * <pre>{@code
 * try (StepsFile f = StepsFile.open(dir.resolve("steps.ndjson"), resumedAtStep)) {
 *     f.append(result);
 * }
 * }</pre>
 */
final class StepsFile implements AutoCloseable {
    private static final Pattern STEP = Pattern.compile("^\\{\"step\": (\\d+)[,}]");
    private final Path file;
    private final BufferedWriter writer;

    private StepsFile(Path file, BufferedWriter writer) {
        this.file = file;
        this.writer = writer;
    }

    /**
     * Opens the file: new (truncated) for a fresh training ({@code keepThrough = 0}), else keeping the
     * lines of steps {@code <= keepThrough}.
     */
    static StepsFile open(Path file, long keepThrough) {
        try {
            List<String> kept = new ArrayList<>();
            if (keepThrough > 0 && Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    Matcher m = STEP.matcher(line);
                    if (m.find() && Long.parseLong(m.group(1)) <= keepThrough) {
                        kept.add(line);
                    }
                }
            }
            Files.write(file, kept, StandardCharsets.UTF_8);
            return new StepsFile(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write the step log: " + e.getMessage(), e);
        }
    }

    /** Appends one line and flushes it. */
    void append(StepResult r) {
        try {
            writer.write(r.toJson());
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write the step log: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot close the step log: " + e.getMessage(), e);
        }
    }
}
