package dev.jacflux.service.security;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The bearer token of the service, from (in this order) the environment variable
 * {@code JACFLUX_TOKEN}, the property {@code jacflux.security.token}, or the data directory's
 * {@code token} file, which is generated (32 random bytes, base64url) and made readable by its
 * owner only if it does not exist. Where the token came from is printed on stderr at start-up, never
 * the token itself. Comparison takes the same time whatever the candidate.
 *
 * <pre>{@code
 * ServiceToken t = ServiceToken.resolve(System.getenv("JACFLUX_TOKEN"), null, Path.of("/var/lib/jacflux"), System.err);
 * // jacflux: no token set (JACFLUX_TOKEN or jacflux.security.token); generated one into /var/lib/jacflux/token
 * t.matches(candidate);
 * }</pre>
 */
public final class ServiceToken {
    /** The file name of the generated token in the data directory. */
    public static final String FILE = "token";

    private final byte[] token;
    private final String source;

    private ServiceToken(String token, String source) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.source = source;
    }

    /** A token given directly (tests, embedding). */
    public static ServiceToken of(String token, String source) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        return new ServiceToken(token.trim(), source);
    }

    /** Resolves the token as described above, telling {@code out} where it came from. */
    public static ServiceToken resolve(String environment, String property, Path dataDir, PrintStream out) {
        if (environment != null && !environment.isBlank()) {
            out.println("jacflux: token from the environment variable JACFLUX_TOKEN");
            return of(environment, "JACFLUX_TOKEN");
        }
        if (property != null && !property.isBlank()) {
            out.println("jacflux: token from jacflux.security.token");
            return of(property, "jacflux.security.token");
        }
        Path file = dataDir.toAbsolutePath().resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                String t = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!t.isEmpty()) {
                    out.println("jacflux: token from " + file);
                    return of(t, file.toString());
                }
            }
            String generated = generate();
            writeOwnerOnly(file, generated);
            out.println("jacflux: no token set (JACFLUX_TOKEN or jacflux.security.token); generated one into " + file
                    + " (readable by its owner only); send it as: Authorization: Bearer $(cat " + file + ")");
            return of(generated, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** 32 random bytes, base64url without padding. */
    static String generate() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void writeOwnerOnly(Path file, String token) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path tmp;
        if (posix) {
            Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
            tmp = Files.createTempFile(dir, ".token-", ".tmp", PosixFilePermissions.asFileAttribute(rw));
        } else {
            tmp = Files.createTempFile(dir, ".token-", ".tmp");
            tmp.toFile().setReadable(false, false);
            tmp.toFile().setReadable(true, true);
            tmp.toFile().setWritable(false, false);
            tmp.toFile().setWritable(true, true);
        }
        Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Whether {@code candidate} is the token (constant time). */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** Where the token came from: {@code JACFLUX_TOKEN}, {@code jacflux.security.token} or the file's path. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "ServiceToken[from " + source + "]";
    }
}
