package dev.jacflux.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Hand-built NumPy files for tests, written independently of {@link Npz}: {@code .npy} bytes from
 * an explicit header and raw values, and {@code .npz} archives with STORED entries exactly as
 * {@code np.savez} writes them.
 */
final class NpyFixtures {
    private NpyFixtures() {
    }

    /** A version-1.0 {@code .npy} with the given descr, shape tuple text and raw data (header padded to 64 bytes). */
    static byte[] npy(String descr, boolean fortran, String shapeTuple, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shapeTuple + ", }";
        int len = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - len % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            b.putDouble(d);
        }
        return b.array();
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float d : v) {
            b.putFloat(d);
        }
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long d : v) {
            b.putLong(d);
        }
        return b.array();
    }

    /** {@code count} float64 values {@code start, start + step, ...}. */
    static double[] ramp(int count, double start, double step) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = start + i * step;
        }
        return v;
    }

    /** Writes an {@code .npz} of STORED {@code <key>.npy} entries (map order), like {@code np.savez}. */
    static void npz(Path file, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bos)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey() + ".npy");
                z.setMethod(ZipEntry.STORED);
                z.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        Files.write(file, bos.toByteArray());
    }
}
