package dev.jacflux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizeTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource(delimiter = '|', value = {
        "0            | 0",
        "536870912    | 536870912",
        "17B          | 17",
        "512MiB       | 536870912",
        "512mib       | 536870912",
        "512 MiB      | 536870912",
        "'  4KiB  '   | 4096",
        "2GB          | 2000000000",
        "2gb          | 2000000000",
        "3KB          | 3000",
        "5MB          | 5000000",
        "1TB          | 1000000000000",
        "1g           | 1073741824",
        "1G           | 1073741824",
        "8k           | 8192",
        "3m           | 3145728",
        "2t           | 2199023255552",
        "1GiB         | 1073741824",
        "1TiB         | 1099511627776",
        "1.5KiB       | 1536",
        "0.5GB        | 500000000",
        "2.50KB       | 2500",
    })
    void parsesSizes(String text, long expected) {
        assertEquals(expected, ByteSize.parse(text).bytes());
    }

    @Test
    void largestValueParsesAndOneMoreOverflows() {
        assertEquals(Long.MAX_VALUE, ByteSize.parse(Long.toString(Long.MAX_VALUE)).bytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ByteSize.parse("9223372036854775808"));
        assertEquals("invalid byte size '9223372036854775808': exceeds the maximum of 9223372036854775807 bytes",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("10000000TB"));
        assertEquals("invalid byte size '10000000TB': exceeds the maximum of 9223372036854775807 bytes", e.getMessage());
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
        "12XB   | invalid byte size '12XB': unknown unit 'XB'; expected " + ByteSize.EXPECTED,
        "5 mibs | invalid byte size '5 mibs': unknown unit 'mibs'; expected " + ByteSize.EXPECTED,
        "-5     | invalid byte size '-5': expected " + ByteSize.EXPECTED,
        "MiB    | invalid byte size 'MiB': expected " + ByteSize.EXPECTED,
        "1,5GB  | invalid byte size '1,5GB': expected " + ByteSize.EXPECTED,
        "1.2.3  | invalid byte size '1.2.3': expected " + ByteSize.EXPECTED,
        "0.5B   | invalid byte size '0.5B': 0.5 is not a whole number of bytes",
        "1.0001KiB | invalid byte size '1.0001KiB': 1024.1024 is not a whole number of bytes",
    })
    void rejectsBadText(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rejectsEmptyAndNegative() {
        assertEquals("byte size is empty; expected " + ByteSize.EXPECTED,
                assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("  ")).getMessage());
        assertEquals("byte size is empty; expected " + ByteSize.EXPECTED,
                assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(null)).getMessage());
        assertEquals("byte size must not be negative, got -1",
                assertThrows(IllegalArgumentException.class, () -> ByteSize.ofBytes(-1)).getMessage());
    }

    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource({
        "0, 0B",
        "1, 1B",
        "1024, 1KiB",
        "536870912, 512MiB",
        "1073741824, 1GiB",
        "1099511627776, 1TiB",
        "1536, 1536B",
        "2000000000, 2GB",
        "3000, 3KB",
        "1000001, 1000001B",
        "4096000, 4096KB",
        "8192000000, 8192MB",
    })
    void formatsShortestExactFormThatParsesBack(long bytes, String text) {
        ByteSize size = ByteSize.ofBytes(bytes);
        assertEquals(text, size.toString());
        assertEquals(size, ByteSize.parse(text));
    }

    @Test
    void ofMebibytesAndOrdering() {
        assertEquals(ByteSize.parse("512MiB"), ByteSize.ofMebibytes(512));
        assertEquals(-1, ByteSize.parse("1KB").compareTo(ByteSize.parse("1KiB")));
    }
}
