package dev.jacflux.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A non-negative amount of memory in bytes, parsed from human-friendly text.
 *
 * <p>Accepted forms: plain bytes ({@code 536870912}), IEC binary units ({@code KiB, MiB, GiB,
 * TiB} = powers of 1024), JVM-style single letters as in {@code -Xmx} ({@code k, m, g, t} =
 * powers of 1024), and SI decimal units ({@code B, KB, MB, GB, TB} = powers of 1000). Units are
 * case-insensitive, may be separated from the number by spaces, and the number may have a
 * fraction as long as the result is a whole number of bytes.
 * <pre>{@code
 * ByteSize.parse("512MiB").bytes();   // 536870912
 * ByteSize.parse("2GB").bytes();      // 2000000000
 * ByteSize.parse("1g").bytes();       // 1073741824
 * ByteSize.parse("1.5KiB").bytes();   // 1536
 * ByteSize.parse("12XB");             // IllegalArgumentException: invalid byte size '12XB': unknown unit 'XB'; ...
 * ByteSize.ofBytes(536870912).toString();   // "512MiB"
 * }</pre>
 *
 * @param bytes the number of bytes, {@code >= 0}
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {

    /** What {@link #parse} accepts, quoted in every parse error. */
    public static final String EXPECTED = "a non-negative number with an optional unit (B, KB, MB, GB, TB = powers"
            + " of 1000; KiB, MiB, GiB, TiB or k, m, g, t = powers of 1024), e.g. 512MiB, 2GB, 1g or 536870912";

    private static final Pattern FORM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)");
    private static final long KI = 1024L;
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("kb", 1_000L), Map.entry("mb", 1_000_000L),
            Map.entry("gb", 1_000_000_000L), Map.entry("tb", 1_000_000_000_000L),
            Map.entry("kib", KI), Map.entry("mib", KI * KI),
            Map.entry("gib", KI * KI * KI), Map.entry("tib", KI * KI * KI * KI),
            Map.entry("k", KI), Map.entry("m", KI * KI),
            Map.entry("g", KI * KI * KI), Map.entry("t", KI * KI * KI * KI));
    private static final String[] BINARY_SUFFIX = {"TiB", "GiB", "MiB", "KiB"};
    private static final long[] BINARY_FACTOR = {KI * KI * KI * KI, KI * KI * KI, KI * KI, KI};
    private static final String[] DECIMAL_SUFFIX = {"TB", "GB", "MB", "KB"};
    private static final long[] DECIMAL_FACTOR = {1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};

    /** Validates that the size is not negative. */
    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("byte size must not be negative, got " + bytes);
        }
    }

    /** A size of exactly {@code bytes} bytes. */
    public static ByteSize ofBytes(long bytes) {
        return new ByteSize(bytes);
    }

    /** A size of {@code mebibytes * 2^20} bytes. */
    public static ByteSize ofMebibytes(long mebibytes) {
        return new ByteSize(Math.multiplyExact(mebibytes, KI * KI));
    }

    /**
     * Parses text such as {@code 512MiB}, {@code 2GB}, {@code 1g} or {@code 536870912}.
     *
     * @throws IllegalArgumentException quoting the text and saying what was expected
     */
    public static ByteSize parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("byte size is empty; expected " + EXPECTED);
        }
        String trimmed = text.trim();
        Matcher m = FORM.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid byte size '" + text + "': expected " + EXPECTED);
        }
        String unit = m.group(2);
        Long factor = UNITS.get(unit.toLowerCase(Locale.ROOT));
        if (factor == null) {
            throw new IllegalArgumentException("invalid byte size '" + text + "': unknown unit '" + unit
                    + "'; expected " + EXPECTED);
        }
        BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        if (value.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("invalid byte size '" + text + "': " + value.stripTrailingZeros()
                    .toPlainString() + " is not a whole number of bytes");
        }
        if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("invalid byte size '" + text + "': exceeds the maximum of "
                    + Long.MAX_VALUE + " bytes");
        }
        return new ByteSize(value.longValueExact());
    }

    /**
     * The shortest exact form that {@link #parse} reads back: the largest binary or decimal unit
     * that divides the size, whichever is shorter (binary on a tie), else plain bytes
     * ({@code 512MiB}, {@code 2GB}, {@code 1536B}).
     */
    @Override
    public String toString() {
        String binary = format(BINARY_SUFFIX, BINARY_FACTOR);
        String decimal = format(DECIMAL_SUFFIX, DECIMAL_FACTOR);
        if (binary != null && (decimal == null || binary.length() <= decimal.length())) {
            return binary;
        }
        return decimal != null ? decimal : bytes + "B";
    }

    private String format(String[] suffixes, long[] factors) {
        if (bytes == 0) {
            return null;
        }
        for (int i = 0; i < factors.length; i++) {
            if (bytes % factors[i] == 0) {
                return bytes / factors[i] + suffixes[i];
            }
        }
        return null;
    }

    @Override
    public int compareTo(ByteSize other) {
        return Long.compare(bytes, other.bytes);
    }
}
