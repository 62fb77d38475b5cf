package dev.jacflux.model.io;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The header of one NumPy {@code .npy} array (format versions 1.0 to 3.0), read and checked
 * before any of the array's data: the dtype, the memory order and the shape, with sizes in exact
 * 64-bit arithmetic. Every problem is a {@link ModelException} naming where the array is (the file,
 * and the archive entry) and what is wrong: a missing magic string, a header length beyond the
 * end of the file, a negative dimension, a shape whose element count overflows 64 bits, an
 * unsupported dtype, or data shorter than the shape needs.
 *
 * <pre>{@code
 * NpyHeader h = NpyHeader.read(in, "x.npy", Files.size(path));   // reads only the header's bytes
 * if (!Arrays.equals(h.shape(), expected)) { ... refuse before reading h.dataBytes() bytes ... }
 * }</pre>
 *
 * @param descr the dtype as the file spells it, e.g. {@code "<f4"}
 * @param dtype the ND4J dtype the array is read as (FLOAT, DOUBLE, LONG or INT)
 * @param order the byte order of the data
 * @param width bytes per element in the file
 * @param unsigned whether the file's elements are unsigned bytes ({@code |u1})
 * @param fortranOrder whether the data are in column-major (Fortran) order
 * @param shape the array's shape (empty for a scalar)
 * @param headerBytes the offset of the data from the start of the {@code .npy} (magic, version,
 *     length field and the header dictionary)
 * @param elements the number of elements, the product of the shape
 * @param dataBytes the bytes of data the shape needs, {@code elements * width}
 */
public record NpyHeader(String descr, DataType dtype, ByteOrder order, int width, boolean unsigned, boolean fortranOrder, long[] shape,
        long headerBytes, long elements, long dataBytes) {

    /** The most bytes of data one array may hold (a Java array bounds what is decoded at once). */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    /** The longest header dictionary read (NumPy's own files use at most a few hundred bytes). */
    public static final int MAX_HEADER_LENGTH = 1 << 20;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Copies the shape. */
    public NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Whether {@code bytes} start with the {@code .npy} magic string {@code \x93NUMPY}. */
    public static boolean hasMagic(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC);
    }

    /**
     * Reads and checks the header from the start of an {@code .npy}, consuming exactly
     * {@link #headerBytes()} bytes of {@code in}, so that the data follow.
     *
     * @param where the file (and entry) for messages
     * @param available the bytes the file (or entry) holds, or {@code -1} if unknown (a stream):
     *     a header length or a data size beyond it is refused before anything more is read
     * @throws ModelException naming {@code where} and the problem
     * @throws IOException if reading fails
     */
    public static NpyHeader read(InputStream in, String where, long available) throws IOException {
        byte[] lead = in.readNBytes(MAGIC.length + 2);
        if (!hasMagic(lead) || lead.length < MAGIC.length + 2) {
            throw new ModelException(where + ": not a NumPy .npy array (the header does not start with \\x93NUMPY)");
        }
        int major = lead[6] & 0xff;
        int fieldBytes;
        if (major == 1) {
            fieldBytes = 2;
        } else if (major == 2 || major == 3) {
            fieldBytes = 4;
        } else {
            throw new ModelException(where + ": unsupported .npy format version " + major + "." + (lead[7] & 0xff)
                    + "; expected 1.0, 2.0 or 3.0");
        }
        byte[] field = in.readNBytes(fieldBytes);
        if (field.length < fieldBytes) {
            throw new ModelException(where + ": truncated .npy header (the file ends inside the header length field)");
        }
        ByteBuffer fb = ByteBuffer.wrap(field).order(ByteOrder.LITTLE_ENDIAN);
        long length = major == 1 ? fb.getShort() & 0xffffL : fb.getInt() & 0xffffffffL;
        long start = MAGIC.length + 2L + fieldBytes;
        if (available >= 0 && start + length > available) {
            throw new ModelException(where + ": the .npy header length " + length + " goes beyond the end of the file (" + available
                    + " bytes)");
        }
        if (length > MAX_HEADER_LENGTH) {
            throw new ModelException(where + ": the .npy header length " + length + " is more than the " + MAX_HEADER_LENGTH
                    + " bytes this reader accepts");
        }
        byte[] text = in.readNBytes((int) length);
        if (text.length < length) {
            throw new ModelException(where + ": the .npy header length " + length + " goes beyond the end of the file (" + (start
                    + text.length) + " bytes)");
        }
        String header = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader h = parse(header, where, start + length);
        if (available >= 0 && h.dataBytes() > available - h.headerBytes()) {
            throw new ModelException(where + ": truncated data: shape " + Shapes.str(h.shape) + " of '" + h.descr + "' needs " + h.dataBytes()
                    + " bytes, the file has " + (available - h.headerBytes()));
        }
        return h;
    }

    private static NpyHeader parse(String header, String where, long headerBytes) {
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new ModelException(where + ": malformed .npy header " + header.trim());
        }
        String descr = d.group(1);
        String kind = descr.isEmpty() ? "" : descr.substring("<>|=".indexOf(descr.charAt(0)) >= 0 ? 1 : 0);
        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int width;
        DataType dtype;
        switch (kind) {
            case "f4" -> { width = 4; dtype = DataType.FLOAT; }
            case "f8" -> { width = 8; dtype = DataType.DOUBLE; }
            case "i8" -> { width = 8; dtype = DataType.LONG; }
            case "i4" -> { width = 4; dtype = DataType.INT; }
            case "u1", "i1" -> { width = 1; dtype = DataType.INT; }
            default -> throw new ModelException(where + ": unsupported dtype '" + descr + "'; expected float32 ('<f4') or float64 ('<f8')"
                    + " (or an integer type)");
        }
        String tuple = s.group(1);
        long[] shape = parseShape(tuple, where);
        long elements = 1;
        long dataBytes;
        try {
            for (long dim : shape) {
                elements = Math.multiplyExact(elements, dim);
            }
            dataBytes = Math.multiplyExact(elements, (long) width);
        } catch (ArithmeticException e) {
            throw new ModelException(where + ": the .npy header's shape (" + tuple.trim() + ") is too large: its size in bytes overflows"
                    + " 64 bits");
        }
        if (dataBytes > MAX_DATA_BYTES) {
            throw new ModelException(where + ": array of shape " + Shapes.str(shape) + " of '" + descr + "' needs " + dataBytes
                    + " bytes; this reader takes at most " + MAX_DATA_BYTES + " bytes per array");
        }
        return new NpyHeader(descr, dtype, order, width, kind.equals("u1"), f.group(1).equals("True"), shape, headerBytes, elements,
                dataBytes);
    }

    private static long[] parseShape(String tuple, String where) {
        List<Long> dims = new ArrayList<>();
        for (String p : tuple.split(",")) {
            String q = p.trim();
            if (q.isEmpty()) {
                continue;
            }
            long dim;
            try {
                dim = Long.parseLong(q.endsWith("L") ? q.substring(0, q.length() - 1) : q);
            } catch (NumberFormatException e) {
                throw new ModelException(where + ": malformed shape (" + tuple.trim() + ") in the .npy header");
            }
            if (dim < 0) {
                throw new ModelException(where + ": negative dimension " + dim + " in the .npy header's shape (" + tuple.trim() + ")");
            }
            dims.add(dim);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
