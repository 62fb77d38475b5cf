package dev.jacflux.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.ModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one NPY header parser and writer: what it writes parses back and is what NumPy reads; a
 * header arriving in pieces is framed as soon as its first bytes tell; malformed headers are refused
 * naming where the array is.
 */
class NpyHeaderTest {

    static byte[] header(int major, String dict) {
        int prefix = major == 1 ? 10 : 12;
        int pad = (64 - (prefix + dict.length() + 1) % 64) % 64;
        byte[] text = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            bb.putShort((short) text.length);
        } else {
            bb.putInt(text.length);
        }
        return bb.put(text).array();
    }

    @Test
    void whatTheLibraryWritesParsesBack() {
        byte[] npy = Npz.toNpy(Nd4j.rand(DataType.FLOAT, 3, 4, 5));
        NpyHeader h = NpyHeader.parse(npy, npy.length, "x");
        assertEquals("<f4", h.descr());
        assertFalse(h.fortranOrder());
        assertArrayEquals(new long[] {3, 4, 5}, h.shape());
        assertEquals(npy.length - 3 * 4 * 5 * 4, h.headerBytes());
        assertEquals(3, h.rows());
        assertEquals(80, h.rowBytes());
        assertEquals(240, h.dataBytes());
        assertEquals("[3, 4, 5] float32", h.describe());
    }

    @Test
    void writtenHeadersAreWhatNumpyAndTheLibraryRead() {
        NpyHeader h = NpyHeader.of("<f8", new long[] {2, 3});
        byte[] head = h.bytes();
        assertEquals(0, head.length % 64, "padded to 64 bytes as numpy.save does");
        assertEquals(head.length, h.headerBytes());
        byte[] full = Arrays.copyOf(head, head.length + 48);
        ByteBuffer.wrap(full, head.length, 48).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(new double[] {1, 2, 3, 4, 5, 6});
        assertEquals(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}}), Npz.fromNpy(full, "x"));
        byte[] one = NpyHeader.of("<f4", new long[] {5}).bytes();
        assertArrayEquals(new long[] {5}, NpyHeader.parse(one, one.length, "x").shape(),
                "a one-dimensional shape is written (5,)");
        assertArrayEquals(new long[] {7, 3}, h.withRows(7).shape());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1|(2, 3)", "2|(2, 3)", "3|(2, 3)", "1|(2L, 3L)"})
    void versionsOneToThreeAndLongSuffixesAreRead(int major, String shape) {
        byte[] h = header(major, "{'descr': '>f8', 'fortran_order': True, 'shape': " + shape + ", }");
        NpyHeader p = NpyHeader.parse(h, h.length, "x");
        assertArrayEquals(new long[] {2, 3}, p.shape());
        assertTrue(p.fortranOrder());
        assertEquals("f8", p.kind());
        assertFalse(p.rowsContiguous());
    }

    @Test
    void theLengthIsKnownOnlyOnceThePrefixHasArrived() {
        byte[] h = Npz.toNpy(Nd4j.rand(DataType.FLOAT, 2, 2));
        assertEquals(-1, NpyHeader.length(h, 7, "x"));
        assertEquals(-1, NpyHeader.length(h, 9, "x"));
        assertEquals(h.length - 16, NpyHeader.length(h, 10, "x"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }  | negative dimension -3",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }   | malformed shape",
        "{'descr': '<f4', 'shape': (2, 3), }                           | malformed .npy header",
        "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }   | unsupported dtype '<c8'",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), } | more bytes than can be counted"})
    void malformedHeadersAreRefusedNamingThePart(String dict, String message) {
        byte[] h = header(1, dict);
        ModelException p = assertThrows(ModelException.class, () -> NpyHeader.parse(h, h.length, "part 'input'"));
        assertTrue(p.getMessage().startsWith("part 'input': ") && p.getMessage().contains(message), p.getMessage());
    }

    @Test
    void badMagicVersionAndHugeHeadersAreRefusedEarly() {
        String zip = assertThrows(ModelException.class, () -> NpyHeader.length("PK\3\4".getBytes(StandardCharsets.ISO_8859_1), 4, "body"))
                .getMessage();
        assertTrue(zip.contains("not a NumPy .npy array"), zip);
        String oneWrongByte = assertThrows(ModelException.class, () -> NpyHeader.length(new byte[] {(byte) 0x93, 'N', 'X'}, 3, "body"))
                .getMessage();
        assertTrue(oneWrongByte.startsWith("body: not a NumPy .npy array"), "refused on the first wrong byte: " + oneWrongByte);
        byte[] v9 = header(1, "{}");
        v9[6] = 9;
        String version = assertThrows(ModelException.class, () -> NpyHeader.length(v9, v9.length, "body")).getMessage();
        assertTrue(version.contains("unsupported .npy format version 9.0"), version);
        byte[] huge = header(2, "{}");
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1 << 30);
        String longer = assertThrows(ModelException.class, () -> NpyHeader.length(huge, 12, "body")).getMessage();
        assertTrue(longer.contains("longer than the 65535"), longer);
    }

    @Test
    void anIncompleteHeaderIsRefusedByParse() {
        byte[] npy = Npz.toNpy(Nd4j.rand(DataType.FLOAT, 2, 2));
        String m = assertThrows(ModelException.class, () -> NpyHeader.parse(npy, 40, "body")).getMessage();
        assertTrue(m.startsWith("body: truncated .npy header"), m);
    }

    @Test
    void moreThan32DimensionsAreRefused() {
        byte[] h = header(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(33) + "), }");
        String m = assertThrows(ModelException.class, () -> NpyHeader.parse(h, h.length, "x")).getMessage();
        assertTrue(m.contains("33 dimensions; at most 32"), m);
    }

    @Test
    void headersForEveryWrittenDtypeRoundTripAndEqualWhatNpzWrites() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.LONG, DataType.INT}) {
            for (long[] shape : new long[][] {{}, {4}, {2, 3}, {1, 2, 1, 3}}) {
                byte[] npy = Npz.toNpy(Nd4j.zeros(dt, shape));
                NpyHeader written = NpyHeader.of(dt, shape);
                byte[] head = written.bytes();
                assertArrayEquals(Arrays.copyOf(npy, head.length), head, dt + " " + Arrays.toString(shape));
                NpyHeader back = NpyHeader.parse(npy, npy.length, "x");
                assertEquals(written, back);
                assertEquals(dt, back.dtype());
                assertEquals(npy.length - head.length, back.dataBytes());
            }
        }
        assertThrows(ModelException.class, () -> NpyHeader.of(DataType.HALF, new long[] {2}));
        assertThrows(ModelException.class, () -> NpyHeader.of("<f4", new long[] {2, -1}));
    }
}
