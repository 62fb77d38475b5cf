package dev.jacflux.service.trainings;

import dev.jacflux.training.StepResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training's {@code steps.ndjson}: one {@link StepResult#toJson()} line per released step, steps
 * 1, 2, 3, ... without gaps. It is the truth of what a training released: lines are appended and
 * forced to disk ({@link #append}) before anyone is told about them, and readers ({@link Cursor})
 * only read up to the step they were told about. At start-up {@link #open} drops a torn last line
 * (a write cut by a crash) and {@link #truncateAfter} drops the lines a crash left beyond the last
 * checkpoint. Appending is for one thread at a time; cursors may read from any thread meanwhile.
 * The byte offset of every {@value #INDEX_EVERY}th line is kept, so a client resuming far into a
 * long training is served without reading the log from its start.
 *
 * <pre>{@code
 * StepLog log = StepLog.open(dir.resolve("steps.ndjson"));
 * log.append(List.of(r11, r12));                    // forced to disk on return
 * StepLog.Cursor c = log.cursor(10);                 // after step 10
 * List<StepLog.Line> lines = c.read(12, 256);        // steps 11 and 12
 * }</pre>
 */
public final class StepLog {
    private static final Pattern STEP = Pattern.compile("^\\{\"step\": (\\d+)[,}]");
    private static final int BLOCK = 1 << 16;
    /** Every this many steps the byte offset of a line is kept, so that a cursor far into the log need not read it from the start. */
    static final long INDEX_EVERY = 1024;

    private final Path file;
    private final NavigableMap<Long, Long> index;
    private FileChannel writer;
    private long lastStep;
    private String lastLine;
    private long size;

    private StepLog(Path file, long lastStep, String lastLine, long size, NavigableMap<Long, Long> index) {
        this.file = file;
        this.lastStep = lastStep;
        this.lastLine = lastLine;
        this.size = size;
        this.index = index;
    }

    /**
     * One line of the log.
     *
     * @param step the step number
     * @param json the line without its line break (a {@link StepResult} as JSON)
     */
    public record Line(long step, String json) {
    }

    /**
     * Opens (or creates) the log: checks that its complete lines number the steps 1, 2, 3, ... and
     * cuts off a last line without its line break.
     *
     * @throws IllegalStateException naming the file and line if the lines are not consecutive steps
     */
    public static StepLog open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                Files.write(file, new byte[0]);
            }
            long expected = 1;
            long good = 0;
            String last = null;
            NavigableMap<Long, Long> index = new ConcurrentSkipListMap<>();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                Cursor scan = new Cursor(file, 0, 0);
                for (List<Line> chunk = scan.readAll(ch); !chunk.isEmpty(); chunk = scan.readAll(ch)) {
                    long at = scan.chunkStart;
                    for (Line l : chunk) {
                        if (l.step() != expected) {
                            throw new IllegalStateException(file + ": line " + expected + " is step " + l.step() + "; expected step " + expected
                                    + " (steps.ndjson numbers the steps 1, 2, 3, ...)");
                        }
                        if ((l.step() - 1) % INDEX_EVERY == 0) {
                            index.put(l.step(), at);
                        }
                        at += bytes(l.json()) + 1;
                        expected++;
                        last = l.json();
                    }
                    good = scan.offset;
                }
            }
            if (Files.size(file) != good) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(good);
                    ch.force(true);
                }
            }
            return new StepLog(file, expected - 1, last, good, index);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the step log: " + e.getMessage(), e);
        }
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The last step in the log (0 if none). */
    public synchronized long lastStep() {
        return lastStep;
    }

    /** The last step's record, or null. */
    public synchronized StepResult lastRecord() {
        return lastLine == null ? null : StepResult.parse(lastLine);
    }

    /** Keeps the lines of steps {@code <= step} only (start-up recovery, before any reader or writer). */
    public synchronized void truncateAfter(long step) {
        if (step >= lastStep) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Cursor scan = new Cursor(file, 0, 0);
            long keep = 0;
            String last = null;
            outer:
            for (List<Line> chunk = scan.readAll(ch); !chunk.isEmpty(); chunk = scan.readAll(ch)) {
                long at = scan.chunkStart;
                for (Line l : chunk) {
                    at += bytes(l.json()) + 1;
                    if (l.step() > step) {
                        break outer;
                    }
                    keep = at;
                    last = l.json();
                }
            }
            ch.truncate(keep);
            ch.force(true);
            lastStep = step;
            lastLine = last;
            size = keep;
            index.tailMap(step, false).clear();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot truncate the step log: " + e.getMessage(), e);
        }
    }

    /**
     * Appends the records (which must continue the steps) and forces them to disk before returning.
     *
     * @throws IllegalStateException if the records do not continue the log's steps
     */
    public synchronized void append(List<StepResult> records) {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder(records.size() * 700);
        long next = lastStep + 1;
        NavigableMap<Long, Long> added = new java.util.TreeMap<>();
        long at = size;
        for (StepResult r : records) {
            if (r.step() != next) {
                throw new IllegalStateException(file + ": step " + r.step() + " does not follow step " + (next - 1));
            }
            String line = r.toJson();
            if ((next - 1) % INDEX_EVERY == 0) {
                added.put(next, at);
            }
            at += bytes(line) + 1;
            b.append(line).append('\n');
            next++;
        }
        ByteBuffer bytes = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
        try {
            if (writer == null) {
                writer = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            while (bytes.hasRemaining()) {
                writer.write(bytes);
            }
            writer.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append to the step log: " + e.getMessage(), e);
        }
        lastStep = next - 1;
        lastLine = records.get(records.size() - 1).toJson();
        size = at;
        index.putAll(added);
    }

    private static int bytes(String line) {
        return line.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Closes the writer (appending again reopens it). */
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // nothing was pending: every append was forced
            }
            writer = null;
        }
    }

    /** A reader of the lines after step {@code after} (starting at the nearest indexed line, not at the file's start). */
    public Cursor cursor(long after) {
        Map.Entry<Long, Long> from = index.floorEntry(after + 1);
        return new Cursor(file, after, from == null ? 0 : from.getValue());
    }

    /**
     * One reader's position in the log: the byte offset of the first line it has not consumed, and
     * the last step it returned. Not thread-safe (one reader, one cursor).
     */
    public static final class Cursor {
        private final Path file;
        private long offset;
        private long chunkStart;
        private long after;

        Cursor(Path file, long after, long offset) {
            this.file = file;
            this.after = after;
            this.offset = offset;
        }

        /** The byte offset of the next line this cursor reads. */
        long offset() {
            return offset;
        }

        /** The last step returned (or the starting point). */
        public long after() {
            return after;
        }

        /**
         * The next lines of steps in {@code (after, upTo]}, at most {@code max} of them; empty when
         * there are none (yet). Lines of steps {@code <= after} are skipped, a line of a step
         * {@code > upTo} is left for a later call.
         */
        public List<Line> read(long upTo, int max) {
            List<Line> out = new ArrayList<>();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (out.size() < max) {
                    List<Line> chunk = readAll(ch);
                    if (chunk.isEmpty()) {
                        break;
                    }
                    long at = chunkStart;
                    boolean stop = false;
                    for (Line l : chunk) {
                        if (l.step() > upTo || out.size() >= max) {
                            stop = true;
                            break;
                        }
                        at += bytes(l.json()) + 1;
                        if (l.step() > after) {
                            out.add(l);
                            after = l.step();
                        }
                    }
                    offset = at;
                    if (stop) {
                        break;
                    }
                }
            } catch (NoSuchFileException e) {
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot read the step log: " + e.getMessage(), e);
            }
            return out;
        }

        /** The complete lines of the next block from {@code offset} (advancing {@code offset} past them). */
        private List<Line> readAll(FileChannel ch) throws IOException {
            chunkStart = offset;
            int size = BLOCK;
            while (true) {
                ByteBuffer buf = ByteBuffer.allocate(size);
                int n = 0;
                while (buf.hasRemaining()) {
                    int r = ch.read(buf, offset + n);
                    if (r <= 0) {
                        break;
                    }
                    n += r;
                }
                byte[] a = buf.array();
                int end = -1;
                for (int i = n - 1; i >= 0; i--) {
                    if (a[i] == '\n') {
                        end = i;
                        break;
                    }
                }
                if (end < 0) {
                    if (n == size) {
                        size *= 2;   // a line longer than the block
                        continue;
                    }
                    return List.of();
                }
                List<Line> lines = new ArrayList<>();
                int start = 0;
                for (int i = 0; i <= end; i++) {
                    if (a[i] == '\n') {
                        String text = new String(a, start, i - start, StandardCharsets.UTF_8);
                        lines.add(new Line(stepOf(text), text));
                        start = i + 1;
                    }
                }
                offset += end + 1;
                return lines;
            }
        }

        private long stepOf(String line) {
            Matcher m = STEP.matcher(line);
            if (!m.find()) {
                throw new IllegalStateException(file + ": a line does not start with {\"step\": N: " + line.substring(0, Math.min(80,
                        line.length())));
            }
            return Long.parseLong(m.group(1));
        }
    }
}
