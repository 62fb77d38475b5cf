package dev.jacflux.service.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A dataset's id: the first 16 lowercase hex characters of the SHA-256 of its {@code x.npy} bytes
 * followed by its {@code y.npy} bytes. A content hash, like a model's id: uploading the same
 * arrays twice stores them once.
 *
 * <pre>{@code
 * String id = DatasetId.of(Path.of("x.npy"), Path.of("y.npy"));   // e.g. "9c41d07be2f05a13"
 * // shell: cat x.npy y.npy | sha256sum | cut -c1-16
 * }</pre>
 */
public final class DatasetId {
    /** What an id looks like. */
    public static final Pattern FORM = Pattern.compile("[0-9a-f]{16}");

    private DatasetId() {
    }

    /** The id of the dataset stored as these two files. */
    public static String of(Path x, Path y) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        byte[] buf = new byte[1 << 16];
        for (Path p : new Path[] {x, y}) {
            try (InputStream in = Files.newInputStream(p)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    /** Whether {@code text} has the form of an id. */
    public static boolean isWellFormed(String text) {
        return text != null && FORM.matcher(text).matches();
    }
}
