package dev.jacflux.service.models;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A model's id: the first 16 lowercase hex characters of the SHA-256 of its {@code model.json}
 * bytes followed by its {@code weights.npz} bytes, as stored. A content hash: the same files
 * always give the same id, so uploading a model twice stores it once.
 *
 * <pre>{@code
 * String id = ModelId.of(jsonBytes, npzBytes);   // e.g. "3f9a0c1d2e4b5a67"
 * // shell: cat model.json weights.npz | sha256sum | cut -c1-16
 * }</pre>
 */
public final class ModelId {
    /** What an id looks like. */
    public static final Pattern FORM = Pattern.compile("[0-9a-f]{16}");

    private ModelId() {
    }

    /** The id of a model stored as these two files' bytes. */
    public static String of(byte[] modelJson, byte[] weightsNpz) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        sha.update(modelJson);
        sha.update(weightsNpz);
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    /** Whether {@code text} has the form of an id. */
    public static boolean isWellFormed(String text) {
        return text != null && FORM.matcher(text).matches();
    }
}
