package dev.jacflux.service.trainings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.training.GradNormHistogram;
import dev.jacflux.training.StepResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step log: appended lines, cursors (with and without the offset index), a torn last line, truncation, gaps refused. */
class StepLogTest {
    @TempDir
    Path dir;

    private static StepResult record(long step) {
        return new StepResult(step, step * 0.05, 3 + step % 5, 1.0 / step, 0.5, new double[] {0.1, 0.2, 0.3, 0.4, 0.5},
                GradNormHistogram.of(new double[] {0.1, 0.2 * step}, 1.0, 4), 0.01 * step, 1e-5, 1.1, 100, 0.01, "private");
    }

    private static List<StepResult> records(long from, long to) {
        List<StepResult> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(record(s));
        }
        return out;
    }

    private static List<Long> steps(List<StepLog.Line> lines) {
        return lines.stream().map(StepLog.Line::step).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    /** Reads every line after {@code after} up to {@code upTo}, in chunks of {@code max}. */
    private static List<StepLog.Line> drain(StepLog.Cursor c, long upTo, int max) {
        List<StepLog.Line> out = new ArrayList<>();
        for (List<StepLog.Line> chunk = c.read(upTo, max); !chunk.isEmpty(); chunk = c.read(upTo, max)) {
            assertTrue(chunk.size() <= max);
            out.addAll(chunk);
        }
        return out;
    }

    @Test
    void cursorsReadExactlyTheStepsAfterTheirStartUpToTheAnnouncedOne() {
        StepLog log = StepLog.open(dir.resolve("steps.ndjson"));
        log.append(records(1, 10));
        log.append(records(11, 3000));
        assertEquals(3000, log.lastStep());
        assertEquals(record(3000), log.lastRecord());
        for (long after : new long[] {0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 2999, 3000}) {
            StepLog.Cursor c = log.cursor(after);
            List<StepLog.Line> lines = drain(c, 2500, 97);
            assertEquals(range(after + 1, 2500), steps(lines), "after " + after + ", up to 2500");
            assertEquals(range(Math.max(after, 2500) + 1, 3000), steps(drain(c, 3000, 300)), "then on to 3000, after " + after);
        }
        List<StepLog.Line> some = log.cursor(41).read(45, 10);
        assertEquals(record(42).toJson(), some.get(0).json(), "a line is the record's JSON");
        assertEquals(StepResult.parse(some.get(3).json()), record(45));
    }

    /** A cursor far into the log starts at the indexed line before it, not at the start of the file; reopening rebuilds the index. */
    @Test
    void cursorsFarIntoTheLogSkipTheFileBeforeThem() throws Exception {
        Path f = dir.resolve("steps.ndjson");
        StepLog log = StepLog.open(f);
        log.append(records(1, 5000));
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        long bytesBefore4097 = 0;
        for (int i = 0; i < 4096; i++) {
            bytesBefore4097 += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        assertEquals(bytesBefore4097, log.cursor(4096).offset(), "starts at step 4097's line");
        assertEquals(bytesBefore4097, log.cursor(4500).offset(), "starts at the indexed line 4097, before 4501");
        assertEquals(0, log.cursor(1000).offset());
        assertEquals(bytesBefore4097, StepLog.open(f).cursor(4600).offset(), "the index is rebuilt when the log is opened");
        assertEquals(range(4601, 5000), steps(drain(StepLog.open(f).cursor(4600), 5000, 1000)));
    }

    @Test
    void openingDropsATornLastLineAndTruncatingKeepsThePrefix() throws Exception {
        Path f = dir.resolve("steps.ndjson");
        StepLog log = StepLog.open(f);
        log.append(records(1, 2100));
        log.close();
        Files.writeString(f, "{\"step\": 2101, \"epoch\": 105.0", StandardOpenOption.APPEND);
        StepLog again = StepLog.open(f);
        assertEquals(2100, again.lastStep());
        assertTrue(Files.readString(f).endsWith("\n"));
        again.truncateAfter(1030);
        assertEquals(1030, again.lastStep());
        assertEquals(record(1030), again.lastRecord());
        assertEquals(1030, Files.readAllLines(f).size());
        again.append(records(1031, 2100));
        assertEquals(range(1025, 2100), steps(drain(again.cursor(1024), 2100, 500)));
        assertEquals(range(2050, 2100), steps(drain(again.cursor(2049), 2100, 500)));
        assertEquals(Files.readAllLines(f).size(), 2100);
    }

    @Test
    void gapsAndRepeatsAreRefused() throws Exception {
        Path f = dir.resolve("steps.ndjson");
        StepLog log = StepLog.open(f);
        log.append(records(1, 3));
        assertThrows(IllegalStateException.class, () -> log.append(records(5, 6)));
        assertThrows(IllegalStateException.class, () -> log.append(records(3, 4)));
        assertEquals(3, log.lastStep());
        log.close();
        Files.writeString(f, record(5).toJson() + "\n", StandardOpenOption.APPEND);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StepLog.open(f));
        assertTrue(e.getMessage().contains("line 4 is step 5; expected step 4"), e.getMessage());
    }
}
