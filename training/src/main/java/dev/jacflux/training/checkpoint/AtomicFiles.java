package dev.jacflux.training.checkpoint;

import dev.jacflux.training.TrainingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Files that are never half-written: bytes go to a temporary file in the target's directory, are
 * forced to disk, and the temporary file is renamed over the target in one atomic step; the
 * directory is then forced too, so the rename survives a crash.
 *
 * <pre>{@code
 * AtomicFiles.write(dir.resolve("state.json"), json.getBytes(UTF_8));
 * }</pre>
 */
public final class AtomicFiles {
    private static final SecureRandom NAMES = new SecureRandom();

    private AtomicFiles() {
    }

    /** Writes {@code target} atomically. */
    public static void write(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(NAMES.nextLong(), 36) + ".tmp");
        try {
            Files.createDirectories(dir);
            writeForced(tmp, bytes);
            move(tmp, target);
            forceDirectory(dir);
        } catch (IOException e) {
            throw new TrainingException(target + ": cannot write: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Writes and forces a new file (no rename). */
    static void writeForced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Renames {@code from} to {@code to} atomically (replacing a file). */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Forces a directory's entries to disk where the platform allows it (Linux does). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported here (e.g. Windows): the rename is still atomic, only its durability is weaker
        }
    }
}
