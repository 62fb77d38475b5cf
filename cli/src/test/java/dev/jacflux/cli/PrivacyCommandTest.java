package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code jacflux privacy}: the accountant at the command line, its JSON contract and its usage errors. */
class PrivacyCommandTest {

    /** Opacus accountants_test.py: sigma 1.5, q 0.04, 2250 steps, delta 1e-5 give epsilon 7.32911117143. */
    @Test
    void jsonIsTheContractsObject() throws Exception {
        Cli.Result r = Cli.ok("privacy", "--noise-multiplier", "1.5", "--sample-rate", "0.04", "--steps", "2250", "--delta", "1e-5", "--json");
        String line = r.out().strip();
        assertTrue(line.matches("\\{\"epsilon\": [-0-9.e]+, \"delta\": [-0-9.e]+, \"order\": [0-9.e]+, \"noise_multiplier\": [0-9.e]+,"
                + " \"sample_rate\": [0-9.e]+, \"steps\": [0-9]+}"), line);
        JsonNode n = new ObjectMapper().readTree(line);
        List<String> fields = new ArrayList<>();
        n.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("epsilon", "delta", "order", "noise_multiplier", "sample_rate", "steps"), fields);
        assertEquals(7.32911117143, n.get("epsilon").asDouble(), 5e-8);
        assertEquals(1e-5, n.get("delta").asDouble(), 0);
        assertEquals(1.5, n.get("noise_multiplier").asDouble(), 0);
        assertEquals(0.04, n.get("sample_rate").asDouble(), 0);
        assertEquals(2250, n.get("steps").asLong());
        assertTrue(n.get("order").asDouble() > 1);
        assertEquals("", r.err());
    }

    /**
     * {@code --target-epsilon 8} for Opacus's setting (q 0.04, 90 epochs = 2250 steps, delta 1e-5;
     * Opacus's get_noise_multiplier gives 1.416 at its tolerance 0.01): the noise multiplier whose
     * epsilon is within 1e-3 below 8.
     */
    @Test
    void targetEpsilonPrintsTheNoiseMultiplier() throws Exception {
        Cli.Result r = Cli.ok("privacy", "--target-epsilon", "8", "--sample-rate", "0.04", "--steps", "2250", "--delta", "1e-5", "--json");
        JsonNode n = new ObjectMapper().readTree(r.out());
        double sigma = n.get("noise_multiplier").asDouble();
        assertTrue(sigma > 1.41 && sigma <= 1.41605, "sigma " + sigma);
        double eps = n.get("epsilon").asDouble();
        assertTrue(eps <= 8 && eps >= 8 - 1e-3, "epsilon " + eps);
        Cli.Result text = Cli.ok("privacy", "--target-epsilon", "8", "--sample-rate", "0.04", "--steps", "2250", "--delta", "1e-5");
        assertTrue(text.out().startsWith("noise multiplier " + sigma + " reaches epsilon 7.99"), text.out());
    }

    @Test
    void textNamesEpsilonAndTheBestOrder() {
        Cli.Result r = Cli.ok("privacy", "--noise-multiplier", "1.5", "--sample-rate", "0.04", "--steps", "2250", "--delta", "1e-5");
        assertTrue(r.out().startsWith("epsilon 7.3291 at delta 1e-5 (best RDP order "), r.out());
        assertEquals(1, r.out().strip().lines().count());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no delta|--noise-multiplier 1 --sample-rate 0.1 --steps 10|Missing required option: '--delta=D'",
        "both|--noise-multiplier 1 --target-epsilon 2 --sample-rate 0.1 --steps 10 --delta 1e-5|mutually exclusive",
        "neither|--sample-rate 0.1 --steps 10 --delta 1e-5|Missing required argument",
        "q zero|--noise-multiplier 1 --sample-rate 0 --steps 10 --delta 1e-5|--sample-rate must lie in (0, 1], got 0.0",
        "q above one|--noise-multiplier 1 --sample-rate 1.5 --steps 10 --delta 1e-5|--sample-rate must lie in (0, 1]",
        "no steps|--noise-multiplier 1 --sample-rate 0.1 --steps 0 --delta 1e-5|--steps must be >= 1",
        "delta one|--noise-multiplier 1 --sample-rate 0.1 --steps 10 --delta 1|--delta must lie in (0, 1)",
        "sigma zero|--noise-multiplier 0 --sample-rate 0.1 --steps 10 --delta 1e-5|--noise-multiplier must be a finite number > 0",
        "not a number|--noise-multiplier abc --sample-rate 0.1 --steps 10 --delta 1e-5|abc",
        "budget too low|--target-epsilon 1e-6 --sample-rate 1 --steps 100000 --delta 1e-9|too low"})
    void badUsageIsExitTwoAndOneLine(String name, String args, String message) {
        List<String> a = new ArrayList<>(List.of("privacy"));
        a.addAll(List.of(args.split(" ")));
        Cli.Result r = Cli.run(a.toArray(String[]::new));
        assertEquals(JacFluxCli.BAD_INPUT, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().contains(message), r::toString);
        assertTrue(r.err().startsWith("jacflux privacy: "), r::toString);
        assertEquals("", r.out());
    }
}
