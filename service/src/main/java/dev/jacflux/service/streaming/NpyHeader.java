package dev.jacflux.service.streaming;

import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy {@code .npy} array (format versions 1.0 to 3.0): dtype descriptor, memory
 * order and shape, and where the data start. This is only the framing a stream needs (how many
 * bytes a row has, where rows start); the elements themselves are decoded by the library's
 * {@code dev.jacflux.model.io.Npz}, so that the service reads values exactly as the command line
 * does. Also writes headers for streamed answers.
 *
 * <pre>{@code
 * NpyHeader h = NpyHeader.parse(firstBytes, firstBytes.length, "part 'input'");   // shape [1000, 784], '<f4'
 * byte[] oneBatch = h.withRows(256).bytes();          // a header for 256 of its rows
 * byte[] answer = NpyHeader.of("<f4", new long[] {1000, 10, 784}).bytes();
 * }</pre>
 *
 * @param descr        the dtype descriptor, e.g. {@code <f4}
 * @param fortranOrder whether the data are in Fortran (column-major) order
 * @param shape        the array's shape
 * @param dataOffset   bytes before the data (magic, version, length, header text)
 */
public record NpyHeader(String descr, boolean fortranOrder, long[] shape, int dataOffset) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Largest header text accepted (NumPy writes well under 200 bytes). */
    public static final int MAX_HEADER_TEXT = 65_535;
    private static final int MAX_RANK = 32;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final String EXPECTED = "expected an array saved with numpy.save";

    /** A header for a C-order array of {@code descr} and {@code shape}, to be written. */
    public static NpyHeader of(String descr, long[] shape) {
        return new NpyHeader(descr, false, shape.clone(), 0).withOffset();
    }

    private NpyHeader withOffset() {
        return new NpyHeader(descr, fortranOrder, shape, bytes().length);
    }

    /**
     * The number of bytes the whole header takes, once {@code available >= 12} bytes (or 10 for
     * version 1) of the stream are known; -1 if more bytes are needed to tell.
     *
     * @throws ApiProblem (400) if the bytes are not the start of a {@code .npy} array
     */
    public static int length(byte[] head, int available, String where) {
        if (available < 8) {
            checkMagic(head, available, where);
            return -1;
        }
        checkMagic(head, MAGIC.length, where);
        int major = head[6] & 0xff;
        int prefix = switch (major) {
            case 1 -> 10;
            case 2, 3 -> 12;
            default -> throw bad(where, "unsupported .npy format version " + major + "." + (head[7] & 0xff)
                    + "; expected 1.0, 2.0 or 3.0");
        };
        if (available < prefix) {
            return -1;
        }
        ByteBuffer bb = ByteBuffer.wrap(head, 0, prefix).order(ByteOrder.LITTLE_ENDIAN);
        long text = major == 1 ? bb.getShort(8) & 0xffff : bb.getInt(8) & 0xffffffffL;
        if (text > MAX_HEADER_TEXT) {
            throw bad(where, ".npy header of " + text + " bytes is longer than the " + MAX_HEADER_TEXT + " accepted; " + EXPECTED);
        }
        return prefix + (int) text;
    }

    private static void checkMagic(byte[] head, int n, String where) {
        for (int i = 0; i < Math.min(n, MAGIC.length); i++) {
            if (head[i] != MAGIC[i]) {
                throw bad(where, "not a NumPy .npy array (it does not start with \\x93NUMPY); " + EXPECTED);
            }
        }
    }

    /**
     * Parses a complete header ({@code length(head, ...)} bytes).
     *
     * @throws ApiProblem (400) naming {@code where} if the header is malformed, has a negative
     *     dimension or more elements than a {@code long} counts
     */
    public static NpyHeader parse(byte[] head, int available, String where) {
        int length = length(head, available, where);
        if (length < 0 || available < length) {
            throw bad(where, "truncated .npy header; " + EXPECTED);
        }
        int major = head[6] & 0xff;
        int prefix = major == 1 ? 10 : 12;
        String text = new String(head, prefix, length - prefix, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(text);
        Matcher f = FORTRAN.matcher(text);
        Matcher s = SHAPE.matcher(text);
        if (!d.find() || !f.find() || !s.find()) {
            throw bad(where, "malformed .npy header " + text.trim() + "; expected 'descr', 'fortran_order' and 'shape'");
        }
        long[] shape = parseShape(s.group(1), where);
        NpyHeader h = new NpyHeader(d.group(1), f.group(1).equals("True"), shape, length);
        h.elementSize(where);
        h.elementsOrFail(where);
        return h;
    }

    private static long[] parseShape(String tuple, String where) {
        List<Long> dims = new ArrayList<>();
        for (String part : tuple.split(",")) {
            String q = part.trim();
            if (q.isEmpty()) {
                continue;
            }
            if (q.endsWith("L")) {
                q = q.substring(0, q.length() - 1);
            }
            long v;
            try {
                v = Long.parseLong(q);
            } catch (NumberFormatException e) {
                throw bad(where, "malformed shape (" + tuple.trim() + ") in the .npy header; expected non-negative integers");
            }
            if (v < 0) {
                throw bad(where, "negative dimension " + v + " in the shape (" + tuple.trim() + ") of the .npy header");
            }
            dims.add(v);
        }
        if (dims.size() > MAX_RANK) {
            throw bad(where, "shape (" + tuple.trim() + ") has " + dims.size() + " dimensions; at most " + MAX_RANK + " are accepted");
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private long elementsOrFail(String where) {
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
                Math.multiplyExact(n, (long) elementSize(where));
            } catch (ArithmeticException e) {
                throw bad(where, "shape " + Arrays.toString(shape) + " of the .npy header has more bytes than can be counted");
            }
        }
        return n;
    }

    /** Bytes per element of the dtype. */
    public int elementSize(String where) {
        return switch (kind()) {
            case "f4", "i4" -> 4;
            case "f8", "i8" -> 8;
            case "u1", "i1" -> 1;
            default -> throw bad(where, "unsupported dtype '" + descr + "'; expected float32 ('<f4') or float64 ('<f8')"
                    + " (or an integer type for targets)");
        };
    }

    /** The descriptor without its byte-order character ({@code f4}, {@code i8}, ...). */
    public String kind() {
        char c = descr.isEmpty() ? ' ' : descr.charAt(0);
        return c == '<' || c == '>' || c == '|' || c == '=' ? descr.substring(1) : descr;
    }

    /** NumPy's name of the dtype: {@code float32}, {@code int64}, ... */
    public String numpyDtype() {
        return switch (kind()) {
            case "f4" -> "float32";
            case "f8" -> "float64";
            case "i4" -> "int32";
            case "i8" -> "int64";
            case "u1" -> "uint8";
            case "i1" -> "int8";
            default -> descr;
        };
    }

    /** Whether the dtype is float32 or float64. */
    public boolean isFloat() {
        return kind().equals("f4") || kind().equals("f8");
    }

    /** Elements of the whole array. */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Rows: the first dimension (1 for a 0-d array). */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Elements per row (all dimensions after the first). */
    public long rowElements() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Bytes of the data. */
    public long dataBytes() {
        return elements() * elementSize("array");
    }

    /** Bytes per row. */
    public long rowBytes() {
        return rowElements() * elementSize("array");
    }

    /** Whether rows are contiguous in the data (C order, or at most one dimension). */
    public boolean rowsContiguous() {
        return !fortranOrder || shape.length <= 1;
    }

    /** A C-order header of the same dtype for the first {@code rows} rows. */
    public NpyHeader withRows(long rows) {
        long[] s = shape.clone();
        if (s.length > 0) {
            s[0] = rows;
        }
        return of(descr, s);
    }

    /** The header as a version 1.0 (or 2.0 if the text does not fit) {@code .npy} prefix, padded to 64 bytes. */
    public byte[] bytes() {
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            tuple.append(shape[i]).append(shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
        }
        tuple.append(')');
        StringBuilder dict = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + tuple + ", }");
        int prefix = dict.length() + 11 <= 65_535 ? 10 : 12;
        int total = prefix + dict.length() + 1;
        dict.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        ByteBuffer bb = ByteBuffer.allocate(prefix + dict.length()).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) (prefix == 10 ? 1 : 2)).put((byte) 0);
        if (prefix == 10) {
            bb.putShort((short) dict.length());
        } else {
            bb.putInt(dict.length());
        }
        bb.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        return bb.array();
    }

    /** {@code [1000, 784] float32}. */
    public String describe() {
        return Arrays.toString(shape) + " " + numpyDtype();
    }

    private static ApiProblem bad(String where, String what) {
        return ApiProblem.of(ProblemType.BAD_INPUT, where + ": " + what);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.descr.equals(descr) && h.fortranOrder == fortranOrder && Arrays.equals(h.shape, shape)
                && h.dataOffset == dataOffset;
    }

    @Override
    public int hashCode() {
        return descr.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NpyHeader[" + descr + ", fortran=" + fortranOrder + ", " + Arrays.toString(shape) + "]";
    }
}
