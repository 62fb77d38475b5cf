package dev.jacflux.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step record's JSON line and its quantiles. */
class StepResultTest {

    /** NumPy's default (linear) quantiles: np.quantile([4, 1, 3, 2, 10], [0, .25, .5, .75, 1]) = [1, 2, 3, 4, 10]. */
    @Test
    void quantilesInterpolateLinearlyAsNumpy() {
        assertArrayEquals(new double[] {1, 2, 3, 4, 10}, StepResult.quantiles(new double[] {4, 1, 3, 2, 10}), 0);
        // np.quantile([1, 2, 3, 4], [0, .25, .5, .75, 1]) = [1, 1.75, 2.5, 3.25, 4]
        assertArrayEquals(new double[] {1, 1.75, 2.5, 3.25, 4}, StepResult.quantiles(new double[] {3, 1, 4, 2}), 1e-15);
        assertArrayEquals(new double[] {7, 7, 7, 7, 7}, StepResult.quantiles(new double[] {7}), 0);
    }

    @Test
    void jsonLineHasEveryFieldAndNullForNaN() throws Exception {
        StepResult r = new StepResult(12, 0.75, 0, Double.NaN, Double.NaN, null, 1.25, 1e-5, 1.1, 0, 0.004, "private");
        String line = r.toJson();
        assertEquals(-1, line.indexOf('\n'));
        JsonNode n = new ObjectMapper().readTree(line);
        List<String> fields = List.of("step", "epoch", "batch_size", "loss", "clipped_fraction", "grad_norm_min", "grad_norm_p25",
                "grad_norm_median", "grad_norm_p75", "grad_norm_max", "grad_norm_histogram", "epsilon", "delta", "noise_multiplier", "samples_per_second",
                "seconds", "privacy");
        assertEquals(fields, iterable(n));
        assertEquals(12, n.get("step").asLong());
        assertEquals(1.25, n.get("epsilon").asDouble(), 0);
        assertEquals(1e-5, n.get("delta").asDouble(), 0);
        assertEquals(true, n.get("loss").isNull());
        assertEquals(true, n.get("grad_norm_median").isNull());
        assertEquals("private", n.get("privacy").asText());
        assertEquals(true, n.get("grad_norm_histogram").isNull());
        StepResult s = new StepResult(1, 0.1, 3, 0.5, 1.0 / 3, new double[] {0.1, 0.2, 0.3, 0.4, 0.5}, Double.POSITIVE_INFINITY, 1e-5, 0,
                750, 0.004, "not private: plain SGD");
        JsonNode m = new ObjectMapper().readTree(s.toJson());
        assertEquals(1.0 / 3, m.get("clipped_fraction").asDouble(), 0);
        assertEquals(true, m.get("epsilon").isNull());
        assertEquals(0.3, m.get("grad_norm_median").asDouble(), 0);
    }

    /** A line read back gives the same record, histogram and NaNs included; a malformed line is refused naming the field. */
    @Test
    void parseReadsALineBack() {
        StepResult with = new StepResult(7, 0.35, 3, 0.5, 1.0 / 3, new double[] {0.1, 0.2, 0.3, 0.4, 2.5},
                GradNormHistogram.of(new double[] {0.1, 0.3, 2.5}, 1.0, 20), 0.123456789012345, 1e-5, 1.1, 1234.5678, 0.0024, "private");
        assertEquals(with, StepResult.parse(with.toJson()));
        assertEquals(with.toJson(), StepResult.parse(with.toJson()).toJson());
        StepResult without = new StepResult(12, 0.75, 0, Double.NaN, Double.NaN, null, 1.25, 1e-5, 1.1, 0, 0.004, "private");
        assertEquals(without, StepResult.parse(without.toJson()));
        String noHistogramField = without.toJson().replace("\"grad_norm_histogram\": null, ", "");
        assertEquals(without, StepResult.parse(noHistogramField), "lines written before the histogram existed");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> StepResult.parse(without.toJson().replace("\"step\": 12", "\"step\": \"x\"")));
        assertEquals(true, e.getMessage().contains("'step'"), e.getMessage());
    }

    private static List<String> iterable(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
