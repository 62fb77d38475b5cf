package dev.jacflux.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The timing headers' text: milliseconds with three decimals, as {@code %.3f} writes them. */
class ResultEncoderTest {
    @Test
    void millisAreWrittenWithThreeDecimalsRoundedHalfUp() {
        assertEquals("0.000", ResultEncoder.millis(Duration.ZERO));
        assertEquals("0.001", ResultEncoder.millis(Duration.ofNanos(500)));
        assertEquals("0.000", ResultEncoder.millis(Duration.ofNanos(499)));
        assertEquals("1.235", ResultEncoder.millis(Duration.ofNanos(1_234_567)));
        assertEquals("12.040", ResultEncoder.millis(Duration.ofNanos(12_040_000)));
        assertEquals("5000.000", ResultEncoder.millis(Duration.ofSeconds(5)));
        Random r = new Random(17);
        for (int i = 0; i < 10_000; i++) {
            long nanos = (long) (r.nextDouble() * 1e11);
            if (nanos % 1000 == 500) {
                continue;   // an exact half: %.3f rounds the binary double, which may lie either side
            }
            assertEquals(String.format(Locale.ROOT, "%.3f", nanos / 1e6), ResultEncoder.millis(Duration.ofNanos(nanos)), nanos + " ns");
        }
    }
}
