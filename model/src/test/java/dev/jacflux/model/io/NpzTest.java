package dev.jacflux.model.io;

import static dev.jacflux.model.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.ModelException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hardened NumPy reader on files, byte arrays and streams alike: malformed headers and corrupt
 * entries are {@link ModelException}s naming where and what (never a raw exception), entries are
 * checked from their headers before their data are read, and CRC-32s are compared.
 */
class NpzTest {
    @TempDir
    Path dir;

    private static final byte[] GOOD = NpyFixtures.npy("<f8", false, "(2, 3)", NpyFixtures.f64(1, 2, 3, 4, 5, 6));

    /** Every way to read one .npy: bytes, a stream, a file. */
    private List<INDArray> readEveryWay(byte[] npy, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, npy);
        List<INDArray> out = new ArrayList<>();
        out.add(Npz.fromNpy(npy, name));
        out.add(Npz.fromNpy(new ByteArrayInputStream(npy), name));
        out.add(Npz.readNpy(file));
        return out;
    }

    private String refusedEveryWay(byte[] npy, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, npy);
        String bytes = assertThrows(ModelException.class, () -> Npz.fromNpy(npy, name)).getMessage();
        String stream = assertThrows(ModelException.class, () -> Npz.fromNpy(new ByteArrayInputStream(npy), name)).getMessage();
        String path = assertThrows(ModelException.class, () -> Npz.readNpy(file)).getMessage();
        for (String m : List.of(bytes, stream, path)) {
            assertTrue(m.contains(name), m);
            assertTrue(!m.contains("Exception"), "no raw exception names: " + m);
        }
        return path;
    }

    @Test
    void wellFormedArraysReadTheSameEveryWay() throws IOException {
        INDArray expected = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}});
        for (INDArray a : readEveryWay(GOOD, "good.npy")) {
            assertClose("read", expected, a, 0, 0);
        }
        NpyHeader h = Npz.readNpyHeader(dir.resolve("good.npy"));
        assertArrayEquals(new long[] {2, 3}, h.shape());
        assertEquals(DataType.DOUBLE, h.dtype());
        assertEquals(48, h.dataBytes());
        assertEquals(GOOD.length - 48, h.headerBytes());
    }

    @Test
    void negativeDimensionsAreRefused() throws IOException {
        String m = refusedEveryWay(NpyFixtures.npy("<f8", false, "(-2, 3)", NpyFixtures.f64(1, 2, 3, 4, 5, 6)), "neg.npy");
        assertTrue(m.contains("negative dimension -2"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"(4294967296, 4294967296, 3)", "(9223372036854775807, 2)", "(3037000500, 3037000500)"})
    void shapesWhoseSizeOverflowsAreRefused(String shape) throws IOException {
        String m = refusedEveryWay(NpyFixtures.npy("<f8", false, shape, NpyFixtures.f64(1, 2)), "big.npy");
        assertTrue(m.contains(shape) && m.contains("overflows 64 bits"), m);
    }

    @Test
    void headerLengthsBeyondTheFileAreRefused() throws IOException {
        byte[] v1 = GOOD.clone();
        v1[8] = (byte) 0xff;
        v1[9] = (byte) 0xff;
        assertTrue(refusedEveryWay(v1, "v1.npy").contains("header length 65535 goes beyond the end of the file"));
        byte[] v2 = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0x93).put("NUMPY".getBytes()).put((byte) 2)
                .put((byte) 0).putInt(0x7ffffffa).array();
        assertTrue(refusedEveryWay(v2, "v2.npy").contains("header length 2147483642"));
        byte[] truncated = java.util.Arrays.copyOf(GOOD, GOOD.length - 8);
        assertTrue(refusedEveryWay(truncated, "short.npy").contains("truncated data"));
        assertTrue(refusedEveryWay(NpyFixtures.npy("", false, "(2,)", NpyFixtures.f64(1, 2)), "nodtype.npy").contains("unsupported dtype ''"));
        assertTrue(refusedEveryWay(java.util.Arrays.copyOf(GOOD, 9), "nine.npy").contains("truncated .npy header"));
    }

    private static byte[] storedNpz(Map<String, byte[]> entries) throws IOException {
        Path tmp = Files.createTempFile("npz", ".npz");
        try {
            NpyFixtures.npz(tmp, entries);
            return Files.readAllBytes(tmp);
        } finally {
            Files.delete(tmp);
        }
    }

    @Test
    void aFlippedBitInAnEntryIsFoundByItsCrcFromFilesBytesAndStreams() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a", GOOD);
        entries.put("b", NpyFixtures.npy("<f4", false, "(2,)", NpyFixtures.f32(1, 2)));
        byte[] npz = storedNpz(entries);
        assertEquals(2, Npz.read(npz, "ok.npz").size());
        int at = indexOf(npz, NpyFixtures.f64(1, 2, 3, 4, 5, 6)) + 17;   // inside the data of entry a
        npz[at] ^= 0x04;
        Path file = dir.resolve("flipped.npz");
        Files.write(file, npz);
        for (String m : List.of(
                assertThrows(ModelException.class, () -> Npz.read(file)).getMessage(),
                assertThrows(ModelException.class, () -> Npz.read(npz, "flipped.npz")).getMessage(),
                assertThrows(ModelException.class, () -> Npz.read(new ByteArrayInputStream(npz), "flipped.npz", Npz.EntryCheck.ALL))
                        .getMessage())) {
            assertTrue(m.contains("flipped.npz (entry 'a.npy')") && m.contains("CRC"), m);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    @Test
    void malformedEntriesNameTheEntry() throws IOException {
        Map<String, byte[]> entries = Map.of("w", NpyFixtures.npy("<f8", false, "(-4, 3)", NpyFixtures.f64(new double[12])));
        byte[] npz = storedNpz(entries);
        String m = assertThrows(ModelException.class, () -> Npz.read(npz, "neg.npz")).getMessage();
        assertTrue(m.contains("neg.npz (entry 'w.npy')") && m.contains("negative dimension -4"), m);
        String notZip = assertThrows(ModelException.class, () -> Npz.read(GOOD, "plain.npy")).getMessage();
        assertTrue(notZip.contains("plain.npy") && notZip.contains("not a NumPy .npz archive"), notZip);
    }

    /** A 256 MiB zero-filled entry, deflated (a few hundred KB). */
    private static byte[] zeroFilled() throws IOException {
        byte[] header = NpyFixtures.npy("<f4", false, "(8192, 8192)", new byte[0]);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bos)) {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry("w.npy"));
            zip.write(header);
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                zip.write(block);
            }
            zip.closeEntry();
        }
        return bos.toByteArray();
    }

    /** Counts the bytes read through it. */
    private static final class Counting extends FilterInputStream {
        long read;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            read += Math.max(0, n);
            return n;
        }
    }

    @Test
    void anEntryCheckSeesTheHeaderBeforeTheDataAreInflated() throws IOException {
        byte[] npz = zeroFilled();
        Counting in = new Counting(new ByteArrayInputStream(npz));
        List<String> seen = new ArrayList<>();
        ModelException e = assertThrows(ModelException.class, () -> Npz.read(in, "bomb.npz", (key, h) -> {
            seen.add(key + " " + java.util.Arrays.toString(h.shape()) + " " + h.dataBytes());
            throw new ModelException(key + ": shape " + java.util.Arrays.toString(h.shape()) + ", expected [4, 3]");
        }));
        assertEquals(List.of("w [8192, 8192] 268435456"), seen);
        assertTrue(e.getMessage().contains("expected [4, 3]"), e.getMessage());
        assertTrue(in.read < 64 * 1024, "read " + in.read + " of " + npz.length + " compressed bytes before refusing");

        Path file = dir.resolve("bomb.npz");
        Files.write(file, npz);
        Map<String, INDArray> skipped = Npz.read(file, (key, h) -> false);
        assertTrue(skipped.isEmpty(), "a declined entry is skipped");
    }
}
