package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files appear complete or not at all. */
class AtomicOutputTest {
    @TempDir
    Path dir;

    @Test
    void aFailureWhileWritingLeavesNoFileAndKeepsTheOldOne() throws IOException {
        Path target = dir.resolve("J.npy");
        assertThrows(IllegalStateException.class, () -> AtomicOutput.write(target, ch -> {
            ch.write(ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, Cli.files(dir).size(), "the content goes to a temporary file first");
            assertTrue(Cli.files(dir).get(0).startsWith(".J.npy.") && Cli.files(dir).get(0).endsWith(".tmp"));
            assertTrue(!Files.exists(target), "the target appears only when complete");
            throw new IllegalStateException("disk on fire");
        }));
        assertEquals(List.of(), Cli.files(dir));

        Files.writeString(target, "old");
        IOException io = new IOException("no space left on device");
        BadInputException e = assertThrows(BadInputException.class, () -> AtomicOutput.write(target, ch -> {
            ch.write(ByteBuffer.wrap("new but cut".getBytes(StandardCharsets.UTF_8)));
            throw io;
        }));
        assertTrue(e.getMessage().contains("J.npy: cannot write the output file: no space left on device"), e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("J.npy"), Cli.files(dir));
    }

    @Test
    void newFilesGetTheDefaultPermissionsAndReplacedFilesKeepTheirs() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX file system");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path fresh = dir.resolve("fresh.npy");
        AtomicOutput.write(fresh, ch -> ch.write(ByteBuffer.wrap(new byte[] {1})));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(fresh), "the umask's permissions");
        Path shared = dir.resolve("shared.npy");
        Files.writeString(shared, "old");
        Set<PosixFilePermission> custom = PosixFilePermissions.fromString("rw-rw-r--");
        Files.setPosixFilePermissions(shared, custom);
        AtomicOutput.write(shared, ch -> ch.write(ByteBuffer.wrap(new byte[] {2})));
        assertEquals(custom, Files.getPosixFilePermissions(shared));
    }

    @Test
    void aCompleteWriteReplacesTheTarget() throws IOException {
        Path target = dir.resolve("J.npy");
        Files.writeString(target, "old");
        AtomicOutput.write(target, ch -> ch.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8))));
        assertEquals("new", Files.readString(target));
        assertEquals(List.of("J.npy"), Cli.files(dir));
    }
}
