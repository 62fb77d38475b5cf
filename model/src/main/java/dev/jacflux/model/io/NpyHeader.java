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
 * The header of one NumPy {@code .npy} array (format versions 1.0 to 3.0): the one parser and
 * writer of the project. Read and checked before any of the array's data: the dtype, the memory
 * order and the shape, with sizes in exact 64-bit arithmetic. Every problem is a
 * {@link ModelException} naming where the array is (the file and archive entry, or the request
 * part) and what is wrong: a missing magic string, an unsupported version, a header length beyond
 * the end of the file or over {@link #MAX_HEADER_LENGTH}, a negative dimension, more than
 * {@link #MAX_RANK} dimensions, a shape whose size in bytes overflows 64 bits, an unsupported
 * dtype, or data shorter than the shape needs.
 *
 * <p>Three ways in: {@link #read} from a stream (consumes exactly the header), {@link #length}
 * and {@link #parse} on the first bytes of a stream that arrives in pieces (a request body), and
 * {@link #of} for a header to write ({@link #bytes()}: version 1.0, or 2.0 if the text needs it,
 * padded to a multiple of 64 bytes as {@code numpy.save} does).
 *
 * <pre>{@code
 * NpyHeader h = NpyHeader.read(in, "x.npy", Files.size(path));   // reads only the header's bytes
 * if (!Arrays.equals(h.shape(), expected)) { ... refuse before reading h.dataBytes() bytes ... }
 *
 * int n = NpyHeader.length(first, filled, "part 'input'");       // -1: more bytes needed
 * NpyHeader in = NpyHeader.parse(first, filled, "part 'input'"); // once n bytes are there
 * byte[] batchHeader = in.withRows(256).bytes();                 // the same dtype, 256 rows
 * byte[] answer = NpyHeader.of("<f4", new long[] {1000, 10, 784}).bytes();
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

    /** The most bytes of data one array may hold to be decoded at once (a Java array bounds it). */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    /** The longest header dictionary accepted (NumPy's own files use at most a few hundred bytes). */
    public static final int MAX_HEADER_LENGTH = 65_535;
    /** The most dimensions accepted (ND4J's limit). */
    public static final int MAX_RANK = 32;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic plus the two version bytes. */
    private static final int LEAD = MAGIC.length + 2;
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
     * A header to write: a C-order array of {@code descr} ({@code <f4}, {@code <f8}, {@code <i8},
     * {@code <i4}, {@code |u1}, {@code |i1}, either byte order) and {@code shape}; its
     * {@link #headerBytes()} is the length of {@link #bytes()}.
     *
     * @throws ModelException if the dtype is not supported or a dimension is negative
     */
    public static NpyHeader of(String descr, long[] shape) {
        String where = "npy header";
        for (long d : shape) {
            if (d < 0) {
                throw new ModelException(where + ": negative dimension " + d + " in the shape " + Shapes.str(shape));
            }
        }
        return build(descr, false, shape.clone(), Shapes.str(shape), text(descr, false, shape).length, where);
    }

    /** {@link #of(String, long[])} for a little-endian array of {@code dtype} (FLOAT, DOUBLE, LONG or INT). */
    public static NpyHeader of(DataType dtype, long[] shape) {
        return of(descr(dtype), shape);
    }

    /**
     * The little-endian descriptor of {@code dtype}: {@code <f4}, {@code <f8}, {@code <i8} or {@code <i4}.
     *
     * @throws ModelException for other dtypes
     */
    public static String descr(DataType dtype) {
        return switch (dtype) {
            case FLOAT -> "<f4";
            case DOUBLE -> "<f8";
            case LONG -> "<i8";
            case INT -> "<i4";
            default -> throw new ModelException("npy: cannot write dtype " + dtype + "; supported are FLOAT, DOUBLE, LONG, INT");
        };
    }

    /**
     * How many bytes the whole header takes (magic to the end of the dictionary), as soon as the
     * first {@code available} bytes of {@code prefix} tell (10 bytes for version 1.0, 12 for 2.0
     * and 3.0); -1 if more bytes are needed. Wrong magic bytes are refused as soon as they arrive.
     *
     * @param where names the array for messages, e.g. {@code part 'input'}
     * @throws ModelException naming {@code where} if the bytes are not the start of a {@code .npy}
     *     array of a supported version, or its header is longer than {@link #MAX_HEADER_LENGTH}
     */
    public static int length(byte[] prefix, int available, String where) {
        for (int i = 0; i < Math.min(available, MAGIC.length); i++) {
            if (prefix[i] != MAGIC[i]) {
                throw notNpy(where);
            }
        }
        if (available < LEAD) {
            return -1;
        }
        int field = fieldBytes(prefix[6] & 0xff, prefix[7] & 0xff, where);
        if (available < LEAD + field) {
            return -1;
        }
        long length = declaredLength(prefix, field);
        checkMaxLength(length, where);
        return LEAD + field + (int) length;
    }

    /**
     * Parses a complete header from the first {@code available} bytes of {@code prefix} (at least
     * {@link #length} of them; bytes after the header are not looked at). Unlike {@link #read}, no
     * bound is put on the data's size: an array this large is read in pieces.
     *
     * @throws ModelException naming {@code where} and the problem, also if the header is not complete
     */
    public static NpyHeader parse(byte[] prefix, int available, String where) {
        int length = length(prefix, available, where);
        if (length < 0 || available < length) {
            throw new ModelException(where + ": truncated .npy header (" + available + " bytes" + (length < 0 ? ""
                    : " of its " + length) + ")");
        }
        int major = prefix[6] & 0xff;
        int start = LEAD + fieldBytes(major, prefix[7] & 0xff, where);
        String text = new String(prefix, start, length - start, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return parseText(text, where, length);
    }

    /**
     * Reads and checks the header from the start of an {@code .npy}, consuming exactly
     * {@link #headerBytes()} bytes of {@code in}, so that the data follow. The data must fit
     * {@link #MAX_DATA_BYTES} (they are decoded at once).
     *
     * @param where the file (and entry) for messages
     * @param available the bytes the file (or entry) holds, or {@code -1} if unknown (a stream):
     *     a header length or a data size beyond it is refused before anything more is read
     * @throws ModelException naming {@code where} and the problem
     * @throws IOException if reading fails
     */
    public static NpyHeader read(InputStream in, String where, long available) throws IOException {
        byte[] lead = in.readNBytes(LEAD);
        if (lead.length < LEAD || !hasMagic(lead)) {
            throw notNpy(where);
        }
        int fieldBytes = fieldBytes(lead[6] & 0xff, lead[7] & 0xff, where);
        byte[] field = in.readNBytes(fieldBytes);
        if (field.length < fieldBytes) {
            throw new ModelException(where + ": truncated .npy header (the file ends inside the header length field)");
        }
        byte[] head = Arrays.copyOf(lead, LEAD + fieldBytes);
        System.arraycopy(field, 0, head, LEAD, fieldBytes);
        long length = declaredLength(head, fieldBytes);
        long start = LEAD + fieldBytes;
        if (available >= 0 && start + length > available) {
            throw new ModelException(where + ": the .npy header length " + length + " goes beyond the end of the file (" + available
                    + " bytes)");
        }
        checkMaxLength(length, where);
        byte[] text = in.readNBytes((int) length);
        if (text.length < length) {
            throw new ModelException(where + ": the .npy header length " + length + " goes beyond the end of the file (" + (start
                    + text.length) + " bytes)");
        }
        String header = new String(text, (lead[6] & 0xff) == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader h = parseText(header, where, start + length);
        if (h.dataBytes() > MAX_DATA_BYTES) {
            throw new ModelException(where + ": array of shape " + Shapes.str(h.shape) + " of '" + h.descr + "' needs " + h.dataBytes()
                    + " bytes; this reader takes at most " + MAX_DATA_BYTES + " bytes per array");
        }
        if (available >= 0 && h.dataBytes() > available - h.headerBytes()) {
            throw new ModelException(where + ": truncated data: shape " + Shapes.str(h.shape) + " of '" + h.descr + "' needs " + h.dataBytes()
                    + " bytes, the file has " + (available - h.headerBytes()));
        }
        return h;
    }

    private static ModelException notNpy(String where) {
        return new ModelException(where + ": not a NumPy .npy array (the header does not start with \\x93NUMPY); expected an array"
                + " saved with numpy.save");
    }

    /** Bytes of the header length field of version {@code major.minor}. */
    private static int fieldBytes(int major, int minor, String where) {
        return switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw new ModelException(where + ": unsupported .npy format version " + major + "." + minor
                    + "; expected 1.0, 2.0 or 3.0");
        };
    }

    private static long declaredLength(byte[] head, int fieldBytes) {
        ByteBuffer b = ByteBuffer.wrap(head, LEAD, fieldBytes).order(ByteOrder.LITTLE_ENDIAN);
        return fieldBytes == 2 ? b.getShort(LEAD) & 0xffffL : b.getInt(LEAD) & 0xffffffffL;
    }

    private static void checkMaxLength(long length, String where) {
        if (length > MAX_HEADER_LENGTH) {
            throw new ModelException(where + ": the .npy header length " + length + " is longer than the " + MAX_HEADER_LENGTH
                    + " bytes accepted; expected an array saved with numpy.save");
        }
    }

    private static NpyHeader parseText(String header, String where, long headerBytes) {
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new ModelException(where + ": malformed .npy header " + header.trim() + "; expected 'descr', 'fortran_order' and 'shape'");
        }
        String tuple = s.group(1);
        return build(d.group(1), f.group(1).equals("True"), parseShape(tuple, where), "(" + tuple.trim() + ")", headerBytes, where);
    }

    /** A checked header: dtype from {@code descr}, sizes in exact arithmetic. */
    private static NpyHeader build(String descr, boolean fortran, long[] shape, String shapeText, long headerBytes, String where) {
        String kind = kind(descr);
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
        if (shape.length > MAX_RANK) {
            throw new ModelException(where + ": the shape " + shapeText + " has " + shape.length + " dimensions; at most " + MAX_RANK
                    + " are accepted");
        }
        long elements = 1;
        long dataBytes;
        try {
            for (long dim : shape) {
                elements = Math.multiplyExact(elements, dim);
            }
            dataBytes = Math.multiplyExact(elements, (long) width);
        } catch (ArithmeticException e) {
            throw new ModelException(where + ": the .npy header's shape " + shapeText + " has more bytes than can be counted: its size in"
                    + " bytes overflows 64 bits");
        }
        return new NpyHeader(descr, dtype, order, width, kind.equals("u1"), fortran, shape, headerBytes, elements, dataBytes);
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
                throw new ModelException(where + ": malformed shape (" + tuple.trim() + ") in the .npy header; expected non-negative integers");
            }
            if (dim < 0) {
                throw new ModelException(where + ": negative dimension " + dim + " in the .npy header's shape (" + tuple.trim() + ")");
            }
            dims.add(dim);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static String kind(String descr) {
        return !descr.isEmpty() && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
    }

    /** The descriptor without its byte-order character: {@code f4}, {@code i8}, ... */
    public String kind() {
        return kind(descr);
    }

    /** NumPy's name of the dtype: {@code float32}, {@code float64}, {@code int64}, {@code int32}, {@code uint8}, {@code int8}. */
    public String numpyDtype() {
        return switch (kind()) {
            case "f4" -> "float32";
            case "f8" -> "float64";
            case "i4" -> "int32";
            case "i8" -> "int64";
            case "u1" -> "uint8";
            default -> "int8";
        };
    }

    /** Whether the dtype is float32 or float64. */
    public boolean isFloat() {
        return dtype == DataType.FLOAT || dtype == DataType.DOUBLE;
    }

    /** Rows: the first dimension (1 for a 0-d array). */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Elements per row (the product of the dimensions after the first). */
    public long rowElements() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Bytes per row. */
    public long rowBytes() {
        return rowElements() * width;
    }

    /** Whether rows are contiguous in the data (C order, or at most one dimension). */
    public boolean rowsContiguous() {
        return !fortranOrder || shape.length <= 1;
    }

    /** A C-order header of the same dtype for {@code rows} rows (the first dimension replaced). */
    public NpyHeader withRows(long rows) {
        long[] s = shape.clone();
        if (s.length > 0) {
            s[0] = rows;
        }
        return of(descr, s);
    }

    /** The header as written: version 1.0 (2.0 if the text does not fit), the dictionary padded to a multiple of 64 bytes. */
    public byte[] bytes() {
        return text(descr, fortranOrder, shape);
    }

    private static byte[] text(String descr, boolean fortran, long[] shape) {
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            tuple.append(shape[i]).append(shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
        }
        tuple.append(')');
        StringBuilder dict = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + tuple + ", }");
        int v1Pad = (64 - (LEAD + 2 + dict.length() + 1) % 64) % 64;
        int prefix = dict.length() + 1 + v1Pad <= 0xffff ? LEAD + 2 : LEAD + 4;
        dict.append(" ".repeat((64 - (prefix + dict.length() + 1) % 64) % 64)).append('\n');
        ByteBuffer bb = ByteBuffer.allocate(prefix + dict.length()).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) (prefix == LEAD + 2 ? 1 : 2)).put((byte) 0);
        if (prefix == LEAD + 2) {
            bb.putShort((short) dict.length());
        } else {
            bb.putInt(dict.length());
        }
        bb.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        return bb.array();
    }

    /** {@code [1000, 784] float32}. */
    public String describe() {
        return Shapes.str(shape) + " " + numpyDtype();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.descr.equals(descr) && h.fortranOrder == fortranOrder && Arrays.equals(h.shape, shape)
                && h.headerBytes == headerBytes;
    }

    @Override
    public int hashCode() {
        return (descr.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Long.hashCode(headerBytes);
    }

    @Override
    public String toString() {
        return "NpyHeader[" + descr + ", fortran=" + fortranOrder + ", " + Shapes.str(shape) + ", header " + headerBytes + " bytes]";
    }
}
