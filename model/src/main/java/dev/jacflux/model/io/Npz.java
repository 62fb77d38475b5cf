package dev.jacflux.model.io;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.ModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy {@code .npz} archives (a zip of {@code <key>.npy} entries, as {@code np.savez} and
 * {@code np.savez_compressed} write them) and {@code .npy} arrays, read and written with
 * {@code java.util.zip} and the NPY format (versions 1.0 to 3.0). Reads float32, float64 and
 * integer arrays in either byte order and C or Fortran order; writes little-endian C-order
 * version 1.0 files that NumPy reads back exactly.
 *
 * <pre>{@code
 * Npz.write(Path.of("weights.npz"), Map.of("fc.weight", w, "fc.bias", b));
 * Map<String, INDArray> sd = Npz.read(Path.of("weights.npz"));   // keys without ".npy", archive order
 * byte[] npy = Npz.toNpy(w);                                     // one .npy file's bytes
 * }</pre>
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npz() {
    }

    /**
     * Reads every array of an {@code .npz} archive, keyed by entry name without {@code .npy}.
     *
     * @throws ModelException naming the file (and entry) if it is not an {@code .npz} archive of
     *     {@code .npy} arrays, or holds a dtype other than float32, float64 or integers
     */
    public static Map<String, INDArray> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException(file + ": weights file not found (expected a NumPy .npz archive)");
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                out.put(key, fromNpy(bytes, file + " (entry '" + name + "')"));
            }
        } catch (ZipException e) {
            throw new ModelException(file + ": not a NumPy .npz archive (expected a zip of <key>.npy arrays as written by np.savez"
                    + (looksLikeNpy(file) ? "; this file is a single .npy array" : "") + "): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the weights file: " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean looksLikeNpy(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(MAGIC.length);
            return java.util.Arrays.equals(head, MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads a single {@code .npy} file. */
    public static INDArray readNpy(Path file) {
        try {
            return fromNpy(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the .npy file: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes the bytes of one {@code .npy} file.
     *
     * @param where the file (and entry) for messages
     */
    public static INDArray fromNpy(byte[] bytes, String where) {
        if (bytes.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new ModelException(where + ": not a NumPy .npy array (the header does not start with \\x93NUMPY)");
        }
        int major = bytes[6] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new ModelException(where + ": truncated .npy header");
            }
            headerLen = bb.getInt(8);
            start = 12;
        } else {
            throw new ModelException(where + ": unsupported .npy format version " + major + "." + (bytes[7] & 0xff));
        }
        if (headerLen < 0 || start + headerLen > bytes.length) {
            throw new ModelException(where + ": truncated .npy header");
        }
        String header = new String(bytes, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new ModelException(where + ": malformed .npy header " + header.trim());
        }
        String descr = d.group(1);
        boolean fortran = f.group(1).equals("True");
        long[] shape = parseShape(s.group(1), where);
        long count = Shapes.numel(shape);
        char order = descr.charAt(0);
        String kind = descr.substring(order == '<' || order == '>' || order == '|' || order == '=' ? 1 : 0);
        ByteOrder bo = order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int width;
        DataType dt;
        switch (kind) {
            case "f4" -> { width = 4; dt = DataType.FLOAT; }
            case "f8" -> { width = 8; dt = DataType.DOUBLE; }
            case "i8" -> { width = 8; dt = DataType.LONG; }
            case "i4" -> { width = 4; dt = DataType.INT; }
            case "u1", "i1" -> { width = 1; dt = DataType.INT; }
            default -> throw new ModelException(where + ": unsupported dtype '" + descr + "'; expected float32 ('<f4') or float64 ('<f8')"
                    + " (or an integer type)");
        }
        long need = count * width;
        if (start + headerLen + need > bytes.length) {
            throw new ModelException(where + ": truncated data: shape " + Shapes.str(shape) + " of '" + descr + "' needs " + need
                    + " bytes, the file has " + (bytes.length - start - headerLen));
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelException(where + ": array of shape " + Shapes.str(shape) + " is too large");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, start + headerLen, (int) need).slice().order(bo);
        int n = (int) count;
        long[] cShape = shape.length == 0 ? new long[0] : shape;
        INDArray arr;
        switch (dt) {
            case FLOAT -> {
                float[] v = new float[n];
                data.asFloatBuffer().get(v);
                arr = create(v, cShape, fortran);
            }
            case DOUBLE -> {
                double[] v = new double[n];
                data.asDoubleBuffer().get(v);
                arr = create(v, cShape, fortran);
            }
            case LONG -> {
                long[] v = new long[n];
                data.asLongBuffer().get(v);
                arr = cShape.length == 0 ? Nd4j.scalar(v[0]) : reshape(Nd4j.createFromArray(v), cShape, fortran);
            }
            default -> {
                int[] v = new int[n];
                if (width == 4) {
                    data.asIntBuffer().get(v);
                } else {
                    for (int i = 0; i < n; i++) {
                        v[i] = kind.equals("u1") ? data.get(i) & 0xff : data.get(i);
                    }
                }
                arr = cShape.length == 0 ? Nd4j.scalar(v[0]) : reshape(Nd4j.createFromArray(v), cShape, fortran);
            }
        }
        return arr;
    }

    private static INDArray create(float[] v, long[] shape, boolean fortran) {
        if (shape.length == 0) {
            return Nd4j.scalar(v[0]);
        }
        return fortran ? Nd4j.create(v, shape, 'f').dup('c') : Nd4j.create(v, shape, 'c');
    }

    private static INDArray create(double[] v, long[] shape, boolean fortran) {
        if (shape.length == 0) {
            return Nd4j.scalar(v[0]);
        }
        return fortran ? Nd4j.create(v, shape, 'f').dup('c') : Nd4j.create(v, shape, 'c');
    }

    private static INDArray reshape(INDArray flat, long[] shape, boolean fortran) {
        return fortran ? flat.reshape('f', shape).dup('c') : flat.reshape('c', shape);
    }

    private static long[] parseShape(String tuple, String where) {
        String t = tuple.trim();
        if (t.isEmpty()) {
            return new long[0];
        }
        String[] parts = t.split(",");
        java.util.List<Long> dims = new java.util.ArrayList<>();
        for (String p : parts) {
            String q = p.trim();
            if (q.isEmpty()) {
                continue;
            }
            try {
                dims.add(Long.parseLong(q.endsWith("L") ? q.substring(0, q.length() - 1) : q));
            } catch (NumberFormatException e) {
                throw new ModelException(where + ": malformed shape (" + tuple + ") in the .npy header");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** The bytes of a {@code .npy} file (version 1.0, little endian, C order) holding {@code a}. */
    public static byte[] toNpy(INDArray a) {
        String descr;
        int width;
        switch (a.dataType()) {
            case FLOAT -> { descr = "<f4"; width = 4; }
            case DOUBLE -> { descr = "<f8"; width = 8; }
            case LONG -> { descr = "<i8"; width = 8; }
            case INT -> { descr = "<i4"; width = 4; }
            default -> throw new ModelException("npy: cannot write dtype " + a.dataType() + "; supported are FLOAT, DOUBLE, LONG, INT");
        }
        long[] shape = a.shape();
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            tuple.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) {
                tuple.append(shape.length == 1 ? "," : ", ");
            }
        }
        tuple.append(")");
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }");
        int total = MAGIC.length + 4 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header.append(" ".repeat(pad)).append('\n');
        long n = a.length();
        ByteBuffer bb = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + Math.toIntExact(n * width)).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        bb.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        INDArray c = a.rank() == 0 ? a.reshape(1) : a.dup('c').reshape('c', new long[] {n});
        switch (a.dataType()) {
            case FLOAT -> bb.asFloatBuffer().put(c.toFloatVector());
            case DOUBLE -> bb.asDoubleBuffer().put(c.toDoubleVector());
            case LONG -> bb.asLongBuffer().put(c.toLongVector());
            default -> bb.asIntBuffer().put(c.toIntVector());
        }
        return bb.array();
    }

    /** Writes {@code arrays} as an {@code .npz} archive ({@code <key>.npy} entries, in map order). */
    public static void write(Path file, Map<String, INDArray> arrays) {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(toNpy(e.getValue()));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new ModelException(file + ": cannot write the weights file: " + e.getMessage(), e);
        }
    }

    /** {@link #write} into memory (the archive's bytes). */
    public static byte[] toNpz(Map<String, INDArray> arrays) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bos)) {
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(toNpy(e.getValue()));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new ModelException("npz: cannot build the archive: " + e.getMessage(), e);
        }
        return bos.toByteArray();
    }
}
