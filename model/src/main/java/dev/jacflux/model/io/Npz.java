package dev.jacflux.model.io;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.transforms.Layouts;
import dev.jacflux.model.ModelException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.bytedeco.javacpp.BytePointer;
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
 * <p>Reading is hardened for files from outside: each array's header is read and checked
 * ({@link NpyHeader}: exact sizes, no negative dimensions, header and data within the file) before
 * its data, an optional {@link EntryCheck} sees every header before the data are read or inflated
 * (so a 1 GiB entry of the wrong shape is refused after a few hundred bytes), and every entry's
 * CRC-32 is checked against the archive's, as NumPy's {@code zipfile} does. Every problem is a
 * {@link ModelException} naming the file, the entry and what is wrong. Files, byte arrays and
 * streams are read alike.
 *
 * <pre>{@code
 * Npz.write(Path.of("weights.npz"), Map.of("fc.weight", w, "fc.bias", b));
 * Map<String, INDArray> sd = Npz.read(Path.of("weights.npz"));   // keys without ".npy", archive order
 * Map<String, INDArray> only = Npz.read(Path.of("weights.npz"), (key, h) -> {
 *     if (h.dataBytes() > 64L << 20) throw new ModelException(key + ": too large");
 *     return true;                                               // false skips the entry unread
 * });
 * Map<String, INDArray> fromKafka = Npz.read(messageBytes, "record 17");
 * byte[] npy = Npz.toNpy(w);                                     // one .npy file's bytes
 * INDArray back = Npz.fromNpy(npy, "request body");
 * }</pre>
 */
public final class Npz {
    private Npz() {
    }

    /**
     * Sees the header of each array of an archive before its data are read (or inflated).
     *
     * <pre>{@code
     * EntryCheck shapes = (key, header) -> {
     *     long[] want = expected.get(key);
     *     if (want == null) return false;                        // not needed: skip it unread
     *     if (!Arrays.equals(want, header.shape())) throw new ModelException(key + ": shape ...");
     *     return true;
     * };
     * }</pre>
     */
    @FunctionalInterface
    public interface EntryCheck {
        /** Reads every entry. */
        EntryCheck ALL = (key, header) -> true;

        /**
         * Decides about one entry from its header.
         *
         * @param key the entry's name without {@code .npy}
         * @param header its checked header
         * @return true to read the entry, false to skip it (it is then not in the result)
         * @throws RuntimeException to refuse the archive; the exception propagates unchanged
         */
        boolean accept(String key, NpyHeader header);
    }

    /**
     * Reads every array of an {@code .npz} archive, keyed by entry name without {@code .npy}.
     *
     * @throws ModelException naming the file (and entry) if it is not an {@code .npz} archive of
     *     {@code .npy} arrays, an entry is corrupt (its CRC-32 differs from the archive's) or
     *     malformed, or holds a dtype other than float32, float64 or integers
     */
    public static Map<String, INDArray> read(Path file) {
        return read(file, EntryCheck.ALL);
    }

    /**
     * As {@link #read(Path)}, showing each entry's header to {@code check} before its data are
     * inflated; entries it declines are skipped unread.
     */
    public static Map<String, INDArray> read(Path file, EntryCheck check) {
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
                String where = file + " (entry '" + e.getName() + "')";
                try (InputStream in = zip.getInputStream(e)) {
                    readEntry(e, in, where, check, out);
                } catch (ZipException | EOFException ex) {
                    throw corrupt(where, ex);
                }
            }
        } catch (ZipException e) {
            throw new ModelException(file + ": not a NumPy .npz archive (expected a zip of <key>.npy arrays as written by np.savez"
                    + (looksLikeNpy(file) ? "; this file is a single .npy array" : "") + "): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the weights file: " + e.getMessage(), e);
        }
        return out;
    }

    /** Reads every array of an {@code .npz} archive held in memory; {@code where} names it in messages. */
    public static Map<String, INDArray> read(byte[] npz, String where) {
        return read(new ByteArrayInputStream(npz), where, EntryCheck.ALL);
    }

    /** As {@link #read(byte[], String)}, with an {@link EntryCheck}. */
    public static Map<String, INDArray> read(byte[] npz, String where, EntryCheck check) {
        return read(new ByteArrayInputStream(npz), where, check);
    }

    /**
     * Reads every array of an {@code .npz} archive from a stream (read to the end of its last
     * entry, not closed); {@code where} names it in messages. Each entry's header is checked (and
     * shown to {@code check}) before its data are inflated, and its CRC-32 is checked.
     *
     * @throws ModelException naming {@code where}, the entry and the problem
     */
    public static Map<String, INDArray> read(InputStream npz, String where, EntryCheck check) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        ZipInputStream zip = new ZipInputStream(npz);
        int entries = 0;
        try {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries++;
                if (e.isDirectory()) {
                    continue;
                }
                String at = where + " (entry '" + e.getName() + "')";
                try {
                    readEntry(e, zip, at, check, out);
                } catch (ZipException | EOFException ex) {
                    throw corrupt(at, ex);
                }
            }
        } catch (ZipException e) {
            throw new ModelException(where + ": not a NumPy .npz archive (expected a zip of <key>.npy arrays as written by np.savez): "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelException(where + ": cannot read the .npz archive: " + e.getMessage(), e);
        }
        if (entries == 0) {
            throw new ModelException(where + ": not a NumPy .npz archive (no zip entries; expected <key>.npy arrays as written by np.savez)");
        }
        return out;
    }

    /**
     * Reads one entry: header first (checked against the entry's size when the archive records
     * it, and shown to {@code check}), then exactly the data it declares, then the end of the
     * entry, and compares the CRC-32 of everything read with the archive's.
     */
    private static void readEntry(ZipEntry e, InputStream raw, String where, EntryCheck check, Map<String, INDArray> out) throws IOException {
        String name = e.getName();
        String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        CheckedInputStream in = new CheckedInputStream(raw, new CRC32());
        NpyHeader h = NpyHeader.read(in, where, e.getSize());
        if (e.getSize() >= 0 && h.headerBytes() + h.dataBytes() != e.getSize()) {
            throw new ModelException(where + ": the entry holds " + e.getSize() + " bytes but its .npy header declares "
                    + (h.headerBytes() + h.dataBytes()) + " (shape " + Shapes.str(h.shape()) + " of '" + h.descr() + "')");
        }
        if (!check.accept(key, h)) {
            return;
        }
        byte[] data = readData(in, h, where);
        if (in.read() != -1) {
            throw new ModelException(where + ": the entry holds more bytes than its .npy header declares (" + (h.headerBytes()
                    + h.dataBytes()) + ")");
        }
        long crc = in.getChecksum().getValue();
        if (e.getCrc() != -1 && crc != e.getCrc()) {
            throw new ModelException(where + ": corrupt entry: its data have CRC-32 " + hex(crc) + " but the archive records "
                    + hex(e.getCrc()) + " (the file was damaged; export it again)");
        }
        out.put(key, decode(h, ByteBuffer.wrap(data)));
    }

    private static ModelException corrupt(String where, IOException e) {
        return new ModelException(where + ": corrupt entry: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + " (the file was damaged; export it again)", e);
    }

    private static String hex(long crc) {
        return String.format(java.util.Locale.ROOT, "0x%08x", crc);
    }

    private static boolean looksLikeNpy(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return NpyHeader.hasMagic(in.readNBytes(8));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a single {@code .npy} file: its header first, checked against the file's size, then
     * its data.
     *
     * @throws ModelException naming the file and the problem
     */
    public static INDArray readNpy(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            String where = file.toString();
            NpyHeader h = NpyHeader.read(in, where, Files.size(file));
            return decode(h, ByteBuffer.wrap(readData(in, h, where)));
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the .npy file: " + e.getMessage(), e);
        }
    }

    /**
     * Reads and checks only the header of an {@code .npy} file (a few hundred bytes), e.g. to
     * compare its shape with what is expected before reading the data.
     *
     * @throws ModelException naming the file and the problem
     */
    public static NpyHeader readNpyHeader(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 4096)) {
            return NpyHeader.read(in, file.toString(), Files.size(file));
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the .npy file: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes the bytes of one {@code .npy} file (bytes after the data the header declares are
     * ignored, as {@code numpy.load} does).
     *
     * @param where the file (and entry) for messages
     * @throws ModelException naming {@code where} and the problem
     */
    public static INDArray fromNpy(byte[] bytes, String where) {
        try {
            NpyHeader h = NpyHeader.read(new ByteArrayInputStream(bytes), where, bytes.length);
            return decode(h, ByteBuffer.wrap(bytes, (int) h.headerBytes(), (int) h.dataBytes()));   // no copy of the data
        } catch (IOException e) {
            throw new ModelException(where + ": cannot read the .npy array: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one {@code .npy} array from a stream (its header, then exactly the data it declares;
     * the stream is not closed).
     *
     * @param where what the stream is, for messages
     * @throws ModelException naming {@code where} and the problem
     */
    public static INDArray fromNpy(InputStream in, String where) {
        try {
            NpyHeader h = NpyHeader.read(in, where, -1);
            return decode(h, ByteBuffer.wrap(readData(in, h, where)));
        } catch (IOException e) {
            throw new ModelException(where + ": cannot read the .npy array: " + e.getMessage(), e);
        }
    }

    private static byte[] readData(InputStream in, NpyHeader h, String where) throws IOException {
        byte[] data = in.readNBytes((int) h.dataBytes());
        if (data.length < h.dataBytes()) {
            throw new ModelException(where + ": truncated data: shape " + Shapes.str(h.shape()) + " of '" + h.descr() + "' needs "
                    + h.dataBytes() + " bytes, the file has " + data.length);
        }
        return data;
    }

    /**
     * The array of a checked header's data ({@code data}'s remaining bytes). Float arrays are copied
     * once, straight into the array's native memory (a bulk copy when the file's byte order is this
     * machine's); integer arrays (targets, small) go through a Java array.
     */
    private static INDArray decode(NpyHeader h, ByteBuffer data) {
        ByteBuffer d = data.slice().order(h.order());
        long[] shape = h.shape();
        boolean fortran = h.fortranOrder();
        if ((h.dtype() == DataType.FLOAT || h.dtype() == DataType.DOUBLE) && shape.length > 0 && h.elements() > 0) {
            INDArray a = Nd4j.createUninitialized(h.dtype(), shape, fortran ? 'f' : 'c');
            ByteBuffer target = nativeBytes(a, h.dataBytes());
            if (h.order() == ByteOrder.nativeOrder()) {
                target.put(d);
            } else if (h.dtype() == DataType.FLOAT) {
                target.asFloatBuffer().put(d.asFloatBuffer());
            } else {
                target.asDoubleBuffer().put(d.asDoubleBuffer());
            }
            return fortran ? a.dup('c') : a;
        }
        int n = (int) h.elements();
        return switch (h.dtype()) {
            case FLOAT -> {
                float[] v = new float[n];
                d.asFloatBuffer().get(v);
                yield create(v, shape, fortran);
            }
            case DOUBLE -> {
                double[] v = new double[n];
                d.asDoubleBuffer().get(v);
                yield create(v, shape, fortran);
            }
            case LONG -> {
                long[] v = new long[n];
                d.asLongBuffer().get(v);
                yield shape.length == 0 ? Nd4j.scalar(v[0]) : reshape(Nd4j.createFromArray(v), shape, fortran);
            }
            default -> {
                int[] v = new int[n];
                if (h.width() == 4) {
                    d.asIntBuffer().get(v);
                } else {
                    for (int i = 0; i < n; i++) {
                        v[i] = h.unsigned() ? d.get(i) & 0xff : d.get(i);
                    }
                }
                yield shape.length == 0 ? Nd4j.scalar(v[0]) : reshape(Nd4j.createFromArray(v), shape, fortran);
            }
        };
    }

    /** Whether {@code a}'s elements lie in C order from the start of its buffer, without gaps (what its strides say, not its ordering flag). */
    private static boolean packedC(INDArray a) {
        return a.offset() == 0 && Layouts.isCContiguous(a);
    }

    /** The {@code bytes} of {@code a}'s native memory (from its first element) as a buffer in this machine's byte order. */
    private static ByteBuffer nativeBytes(INDArray a, long bytes) {
        return new BytePointer(a.data().addressPointer()).position(0).limit(bytes).capacity(bytes).asByteBuffer()
                .order(ByteOrder.nativeOrder());
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

    /**
     * The bytes of a {@code .npy} file (version 1.0, little endian, C order) holding {@code a}: the
     * header, then the data copied once from the array's native memory (an array whose elements
     * already lie in C order from the start of its buffer is not copied first).
     */
    public static byte[] toNpy(INDArray a) {
        DataType dtype = a.dataType();
        byte[] head = NpyHeader.of(dtype, a.shape()).bytes();
        long bytes = a.length() * dtype.width();
        byte[] out = new byte[Math.toIntExact(head.length + bytes)];
        System.arraycopy(head, 0, out, 0, head.length);
        if (bytes == 0) {
            return out;
        }
        INDArray c = packedC(a) ? a : a.dup('c');
        try {
            ByteBuffer source = nativeBytes(c, bytes);
            ByteBuffer target = ByteBuffer.wrap(out, head.length, (int) bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                target.put(source);
            } else {
                switch (dtype) {
                    case FLOAT -> target.asFloatBuffer().put(source.asFloatBuffer());
                    case DOUBLE -> target.asDoubleBuffer().put(source.asDoubleBuffer());
                    case LONG -> target.asLongBuffer().put(source.asLongBuffer());
                    default -> target.asIntBuffer().put(source.asIntBuffer());
                }
            }
        } finally {
            if (c != a) {
                c.close();
            }
        }
        return out;
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
