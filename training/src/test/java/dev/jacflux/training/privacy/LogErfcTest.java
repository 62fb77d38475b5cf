package dev.jacflux.training.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** log(erfc(x)) against published values, the asymptotic series, identities and its derivative. */
class LogErfcTest {

    /**
     * erfc from Abramowitz and Stegun, Table 7.1 (erf(x) to 15+ digits; erfc = 1 - erf), and the
     * tail values of their eq. 7.1.23 (rounded to 17 significant digits).
     */
    @ParameterizedTest(name = "erfc({0}) = {1}")
    @CsvSource({
        "0.1, 0.88753708398171510780",
        "0.5, 0.47950012218695346232",
        "1.0, 0.15729920705028513066",
        "1.5, 0.033894853524689272933",
        "2.0, 0.0046777349810472658379",
        "3.0, 2.2090496998585441373e-5",
        "5.0, 1.5374597944280348502e-12",
        "-1.0, 1.8427007929497148693",
        "-3.0, 1.9999779095030014146"})
    void matchesPublishedValues(double x, double erfc) {
        assertEquals(Math.log(erfc), LogErfc.of(x), 2e-15 * Math.max(1, Math.abs(Math.log(erfc))), "log erfc(" + x + ")");
        assertEquals(erfc, LogErfc.erfc(x), 4e-15 * erfc, "erfc(" + x + ")");
    }

    /** Far in the tail (erfc underflows) against the asymptotic series of A&amp;S 7.1.23, summed to its smallest term. */
    @ParameterizedTest(name = "x = {0}")
    @CsvSource({"8", "10", "26", "30", "100", "1e4"})
    void matchesTheAsymptoticSeriesInTheTail(double x) {
        double sum = 1;
        double term = 1;
        for (int k = 1; k < 400; k++) {
            double next = -term * (2 * k - 1) / (2 * x * x);
            if (Math.abs(next) > Math.abs(term)) {
                break;
            }
            term = next;
            sum += term;
        }
        double expected = -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(sum);
        assertEquals(expected, LogErfc.of(x), 1e-15 * Math.abs(expected) + 1e-12);
    }

    @Test
    void reflectionAndLimits() {
        for (double x = -4; x <= 4; x += 0.37) {
            assertEquals(2.0, LogErfc.erfc(x) + LogErfc.erfc(-x), 1e-15, "erfc(x) + erfc(-x) at " + x);
        }
        assertEquals(0.0, LogErfc.of(0), 1e-16);
        assertEquals(Math.log(2), LogErfc.of(Double.NEGATIVE_INFINITY), 0);
        assertEquals(Double.NEGATIVE_INFINITY, LogErfc.of(Double.POSITIVE_INFINITY));
        assertEquals(Double.NaN, LogErfc.of(Double.NaN));
    }

    /** d/dx log erfc(x) = -2 exp(-x^2) / (sqrt(pi) erfc(x)), against central differences across the region boundaries. */
    @ParameterizedTest(name = "x = {0}")
    @CsvSource({"-2.5", "-0.3", "0.2", "1.2", "1.999", "2.0", "2.001", "4.5", "12"})
    void derivativeMatchesCentralDifferences(double x) {
        double h = 1e-5;
        double fd = (LogErfc.of(x + h) - LogErfc.of(x - h)) / (2 * h);
        double exact = -2 / Math.sqrt(Math.PI) * Math.exp(-x * x - LogErfc.of(x));
        assertEquals(exact, fd, 1e-7 * Math.max(1, Math.abs(exact)));
    }
}
