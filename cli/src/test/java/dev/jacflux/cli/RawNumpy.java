package dev.jacflux.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Hand-built (and deliberately broken) NumPy files for the bad-input tests, written without the
 * library's reader or writer: {@code .npy} bytes from an explicit header text, {@code .npz}
 * archives with STORED entries as {@code np.savez} writes them, and bit flips inside an archive's
 * entry data.
 */
final class RawNumpy {
    private RawNumpy() {
    }

    /** A version-1.0 {@code .npy} with the given header dictionary text and raw data (padded to 64 bytes). */
    static byte[] npy(String dict, byte[] data) {
        int len = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - len % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    /** A version-1.0 {@code .npy} of little-endian float64 values with the given shape tuple text. */
    static byte[] f64(String shapeTuple, double... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return npy("{'descr': '<f8', 'fortran_order': False, 'shape': " + shapeTuple + ", }", b.array());
    }

    /** The magic, a version 2.0 header length field of {@code declaredLength}, and {@code body}. */
    static byte[] npyVersion2(int declaredLength, String body) {
        byte[] text = body.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(12 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 2).put((byte) 0).putInt(declaredLength);
        b.put(text);
        return b.array();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** An {@code .npz} of STORED {@code <key>.npy} entries (map order) with correct CRCs, as {@code np.savez} writes. */
    static byte[] storedNpz(Map<String, byte[]> entries) {
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    /**
     * Writes an {@code .npz} whose one DEFLATED entry {@code <key>.npy} is an {@code .npy} header
     * declaring {@code shapeTuple} float32 followed by {@code zeroBytes} zero bytes, deflated as it
     * is written (a 1 GiB entry is a few MB on disk).
     */
    static void zeroFilledNpz(Path file, String key, String shapeTuple, long zeroBytes) {
        byte[] header = npy("{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeTuple + ", }", new byte[0]);
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry(key + ".npy"));
            zip.write(header);
            byte[] block = new byte[1 << 20];
            for (long left = zeroBytes; left > 0; left -= block.length) {
                zip.write(block, 0, (int) Math.min(block.length, left));
            }
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where an entry's (compressed) data start in the archive bytes, and how long they are. */
    record EntryData(int start, int length, int method, byte[] uncompressed) {
    }

    /** Locates the data of entry {@code name} in the archive {@code file} (through its local header). */
    static EntryData locate(Path file, String name) {
        try (ZipFile zf = new ZipFile(file.toFile())) {
            ZipEntry e = zf.getEntry(name);
            byte[] content = zf.getInputStream(e).readAllBytes();
            byte[] all = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
            for (int at = 0; at + 30 < all.length; at++) {
                if (b.getInt(at) == 0x04034b50) {
                    int n = b.getShort(at + 26) & 0xffff;
                    int m = b.getShort(at + 28) & 0xffff;
                    if (Arrays.equals(Arrays.copyOfRange(all, at + 30, at + 30 + n), wanted)) {
                        return new EntryData(at + 30 + n + m, (int) e.getCompressedSize(), e.getMethod(), content);
                    }
                }
            }
            throw new IllegalStateException("no local header for " + name + " in " + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Flips one bit inside the data of entry {@code name} such that the archive still reads
     * without a zip error but the entry's content changes (a corruption only the CRC-32 reveals).
     * Bits inside the entry's {@code .npy} header are left alone for STORED entries; for DEFLATED
     * entries the first flip (in data order) that still inflates to the same length with a changed
     * array body is taken. Deterministic for given file bytes.
     */
    static void flipBitInData(Path file, String name) {
        EntryData d = locate(file, name);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int headerLength = 10 + (ByteBuffer.wrap(d.uncompressed()).order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xffff);
        if (d.method() == ZipEntry.STORED) {
            all[d.start() + headerLength + 3] ^= 0x10;
            write(file, all);
            return;
        }
        byte[] compressed = Arrays.copyOfRange(all, d.start(), d.start() + d.length());
        for (int i = compressed.length / 2; i < compressed.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                compressed[i] ^= (byte) (1 << bit);
                byte[] out = inflate(compressed, d.uncompressed().length);
                if (out != null && Arrays.equals(Arrays.copyOf(out, headerLength), Arrays.copyOf(d.uncompressed(), headerLength))
                        && !Arrays.equals(out, d.uncompressed())) {
                    System.arraycopy(compressed, 0, all, d.start(), compressed.length);
                    write(file, all);
                    return;
                }
                compressed[i] ^= (byte) (1 << bit);
            }
        }
        throw new IllegalStateException("no silent bit flip found in " + name);
    }

    /** The inflated bytes if the raw deflate stream inflates to exactly {@code length} bytes, else null. */
    private static byte[] inflate(byte[] compressed, int length) {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(Arrays.copyOf(compressed, compressed.length + 1));
            byte[] out = new byte[length + 16];
            int n = 0;
            while (!inf.finished() && n < out.length) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    return null;
                }
                n += k;
            }
            return inf.finished() && n == length ? Arrays.copyOf(out, n) : null;
        } catch (DataFormatException e) {
            return null;
        } finally {
            inf.end();
        }
    }
}
