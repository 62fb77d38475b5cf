package dev.jacflux.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Output files that are never half-written: the content goes to a temporary file in the target's
 * directory ({@code .J.npy.<random>.tmp}, with the default permissions, or those of the file it
 * replaces), is flushed to disk, and is then renamed over the target in one atomic step. On any failure (including Ctrl-C, through a shutdown hook) the temporary file
 * is deleted, so no output is left behind and an existing target file is untouched.
 *
 * <pre>{@code
 * AtomicOutput.checkWritable(out);                          // before a long computation
 * AtomicOutput.write(out, channel -> channel.write(bytes));  // later
 * }</pre>
 */
public final class AtomicOutput {
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : PENDING) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort at exit
                }
            }
        }, "jacflux-temp-cleanup"));
    }

    private AtomicOutput() {
    }

    /** Writes the content of an output file into an open channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Checks, before any work, that {@code target} can be written: its directory exists and is
     * writable, and it is not itself a directory.
     *
     * @param option the option that named it (e.g. {@code --out}), for the message
     * @throws BadInputException naming the file and the problem
     */
    public static void checkWritable(Path target, String option) {
        Path dir = directoryOf(target);
        if (Files.isDirectory(target)) {
            throw new BadInputException(target + " (" + option + "): is a directory; expected the path of a file to write");
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(target + " (" + option + "): the directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new BadInputException(target + " (" + option + "): the directory " + dir + " is not writable");
        }
    }

    /**
     * Writes {@code target} atomically.
     *
     * @throws BadInputException if the file cannot be created (the directory vanished, no space...)
     */
    public static void write(Path target, Content content) {
        Path dir = directoryOf(target);
        Path tmp = createTemporary(target, dir);
        PENDING.add(tmp);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            throw new BadInputException(target + ": cannot write the output file: " + e.getMessage(), e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
            PENDING.remove(tmp);
        }
    }

    /**
     * A new, empty {@code .<name>.<random>.tmp} next to the target, created with the default
     * permissions (the umask), unlike {@code Files.createTempFile}'s owner-only ones, and taking
     * over the permissions of an existing target so that replacing it does not change them.
     */
    private static Path createTemporary(Path target, Path dir) {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt < 100) {
                    continue;
                }
                throw new BadInputException(target + ": cannot create a temporary file in " + dir + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new BadInputException(target + ": cannot create a temporary file in " + dir + ": " + e.getMessage(), e);
            }
            try {
                if (Files.exists(target) && Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
                }
            } catch (IOException | UnsupportedOperationException ignored) {
                // keep the default permissions
            }
            return tmp;
        }
    }

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        return parent == null ? Path.of(".").toAbsolutePath() : parent;
    }
}
