package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.NpyHeader;
import dev.jacflux.model.io.Npz;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * NumPy {@code .npy} files at the command line's boundary: reading with messages that name the
 * file and the problem ({@link BadInputException}), and writing in a chosen float dtype, streamed
 * in blocks and atomically ({@link AtomicOutput}).
 *
 * <pre>{@code
 * INDArray x = NpyFiles.readFloat(Path.of("x.npy"), "--input");     // float32 or float64, else exit 2
 * INDArray t = NpyFiles.read(Path.of("t.npy"), "--targets");        // any supported dtype
 * NpyFiles.write(Path.of("J.npy"), jacobian, DataType.FLOAT);       // temp file + rename
 * }</pre>
 */
public final class NpyFiles {
    private static final int MAGIC_LENGTH = 6;
    private static final int BLOCK = 1 << 18;

    private NpyFiles() {
    }

    /**
     * Reads an {@code .npy} array of any supported dtype (float32, float64, integers): the
     * header first (checked against the file's size), then the data.
     *
     * @param option the option that named the file, for messages
     * @throws BadInputException if the file is missing, unreadable or not an {@code .npy} array
     */
    public static INDArray read(Path file, String option) {
        header(file, option);
        try {
            return Npz.readNpy(file);
        } catch (ModelException e) {
            throw new BadInputException(e.getMessage().startsWith(file.toString()) ? file + " (" + option + ")"
                    + e.getMessage().substring(file.toString().length()) : e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(file + " (" + option + "): cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads and checks only the header of an {@code .npy} file: its dtype and shape, before any
     * data are read (so a file of the wrong shape is refused without reading it).
     *
     * @throws BadInputException if the file is missing, not an {@code .npy} array, or its header is
     *     malformed (negative dimensions, sizes that overflow, a header or data beyond the file)
     */
    public static NpyHeader header(Path file, String option) {
        String where = file + " (" + option + ")";
        if (!Files.exists(file)) {
            throw new BadInputException(where + ": file not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(where + ": not a regular file; expected a NumPy .npy file");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 4096)) {
            in.mark(MAGIC_LENGTH);
            if (!NpyHeader.hasMagic(in.readNBytes(MAGIC_LENGTH))) {
                throw new BadInputException(where + ": not a .npy file (no NumPy header); expected an array saved with numpy.save");
            }
            in.reset();
            return NpyHeader.read(in, where, Files.size(file));
        } catch (ModelException e) {
            throw new BadInputException(e.getMessage(), e);
        } catch (IOException e) {
            throw new BadInputException(where + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a float32 or float64 {@code .npy} array.
     *
     * @throws BadInputException as {@link #read}, or naming the dtype if it is not float32/float64
     */
    public static INDArray readFloat(Path file, String option) {
        INDArray a = read(file, option);
        if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
            throw new BadInputException(file + " (" + option + "): wrong dtype " + numpyName(a.dataType())
                    + "; expected float32 or float64");
        }
        return a;
    }

    /** NumPy's name of an ND4J dtype ({@code float32}, {@code int64}, ...). */
    public static String numpyName(DataType dt) {
        return switch (dt) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case LONG -> "int64";
            case INT -> "int32";
            case SHORT -> "int16";
            case BYTE -> "int8";
            case UBYTE -> "uint8";
            case BOOL -> "bool";
            case HALF -> "float16";
            default -> dt.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * Writes {@code a} converted to {@code dtype} (FLOAT or DOUBLE) as a little-endian, C-order
     * {@code .npy} file (format 1.0) that {@code numpy.load} reads back exactly. The data are
     * streamed in blocks, so no second full-size copy is made; the file appears only when complete.
     */
    public static void write(Path target, INDArray a, DataType dtype) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("npy output dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        INDArray c = a.dataType() == dtype ? a : a.castTo(dtype);
        long n = c.length();
        INDArray flat = n == 0 ? c : (c.isView() || c.ordering() != 'c' ? c.dup('c') : c).reshape('c', new long[] {n});
        byte[] header = NpyHeader.of(dtype, a.shape()).bytes();
        int width = dtype.width();
        AtomicOutput.write(target, ch -> {
            writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocate(BLOCK * width).order(ByteOrder.LITTLE_ENDIAN);
            for (long start = 0; start < n; start += BLOCK) {
                long end = Math.min(n, start + BLOCK);
                INDArray part = flat.get(NDArrayIndex.interval(start, end));
                buf.clear();
                if (dtype == DataType.FLOAT) {
                    buf.asFloatBuffer().put(part.toFloatVector());
                } else {
                    buf.asDoubleBuffer().put(part.toDoubleVector());
                }
                buf.limit((int) ((end - start) * width));
                writeFully(ch, buf);
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** {@code "[4, 10] float32 (160 B)"}. */
    public static String describe(long[] shape, DataType dtype) {
        long bytes = Shapes.numel(shape) * dtype.width();
        return Shapes.str(shape) + " " + numpyName(dtype) + " (" + humanBytes(bytes) + ")";
    }

    /** {@code 1536} to {@code "1.5 KiB"}. */
    public static String humanBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
