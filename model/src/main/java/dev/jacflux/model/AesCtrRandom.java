package dev.jacflux.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A cryptographically secure stream of random 64-bit words: the AES-256 keystream in counter mode
 * (NIST SP 800-38A), keyed by 32 bytes from a {@link SecureRandom}, as the DRBG of NIST SP 800-90A
 * ({@code CTR_DRBG}) uses it. Without the key, the words cannot be predicted or reproduced, unlike
 * those of {@link java.util.SplittableRandom}, whose state follows from a few outputs. The JDK's
 * AES counter mode uses the processor's AES instructions where present.
 *
 * <p>Meant to be short-lived: {@link #fromSecureRandom()} makes a fresh key for each DP-SGD step
 * (as Opacus's secure mode seeds a cryptographically secure generator), so one step's noise says
 * nothing about another's. Not thread-safe; one instance per thread.
 *
 * <pre>{@code
 * RandomGenerator rng = AesCtrRandom.fromSecureRandom();
 * double z = GaussianNoise.next(rng);     // a standard normal draw nobody can regenerate
 * long bits = rng.nextLong();
 * }</pre>
 */
public final class AesCtrRandom implements RandomGenerator {
    private static final SecureRandom KEYS = new SecureRandom();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK = 1 << 12;

    private final Cipher cipher;
    private final byte[] zeros = new byte[BLOCK];
    private final byte[] stream = new byte[BLOCK];
    private int next = BLOCK;

    private AesCtrRandom(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("aes-ctr random: the key must have 32 bytes, got " + key.length);
        }
        try {
            cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("aes-ctr random: AES/CTR/NoPadding is not available in this Java runtime: " + e, e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    /** A generator keyed with 256 fresh bits of a shared {@link SecureRandom}. */
    public static AesCtrRandom fromSecureRandom() {
        byte[] key = new byte[32];
        KEYS.nextBytes(key);
        return new AesCtrRandom(key);
    }

    /** A generator with a given 32-byte key (for tests of the keystream; the array is zeroed after use). */
    static AesCtrRandom withKey(byte[] key) {
        return new AesCtrRandom(key.clone());
    }

    @Override
    public long nextLong() {
        if (next == BLOCK) {
            refill();
        }
        long v = (long) LONGS.get(stream, next);
        next += Long.BYTES;
        return v;
    }

    private void refill() {
        try {
            int n = cipher.update(zeros, 0, BLOCK, stream, 0);
            if (n != BLOCK) {
                throw new IllegalStateException("aes-ctr random: the cipher returned " + n + " of " + BLOCK + " bytes");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("aes-ctr random: " + e, e);
        }
        next = 0;
    }
}
