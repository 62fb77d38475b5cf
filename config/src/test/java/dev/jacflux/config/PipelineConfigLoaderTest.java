package dev.jacflux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipelineConfigLoaderTest {

    private static final String KNOWN_KEYS = "jacflux.job, jacflux.chunk-size, jacflux.memory-budget,"
            + " jacflux.parallelism, jacflux.nd4j-threads, jacflux.batches-in-flight, jacflux.chunks-in-flight,"
            + " jacflux.precision, jacflux.ordering, jacflux.error-policy, jacflux.non-finite-policy";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    // ------------------------------------------------------------------ properties

    @Test
    void propertiesFileSetsEveryKey() throws IOException {
        Path file = write("jacflux.properties", """
                # pipeline settings
                jacflux.job=per-sample-gradients
                jacflux.chunk-size=64
                jacflux.memory-budget=256MiB
                jacflux.parallelism=3
                jacflux.nd4j-threads=1
                jacflux.batches-in-flight=4
                jacflux.chunks-in-flight=5
                jacflux.precision=float64
                jacflux.ordering=completion-order
                jacflux.error-policy=fail-fast
                jacflux.non-finite-policy=allow
                server.port=8080
                """);
        PipelineConfig c = PipelineConfigLoader.fromProperties(file);
        assertEquals(new PipelineConfig(JobKind.PER_SAMPLE_GRADIENTS, 64, 256L << 20, 3, 1, 4, 5, Precision.FLOAT64,
                Ordering.COMPLETION_ORDER, ErrorPolicy.FAIL_FAST, NonFinitePolicy.ALLOW), c);
    }

    @Test
    void unsetKeysKeepDefaultsAndChunksInFlightFollowsParallelism() {
        Properties p = new Properties();
        p.setProperty("jacflux.parallelism", "4");
        PipelineConfig c = PipelineConfigLoader.fromProperties(p);
        assertEquals(PipelineConfig.builder().parallelism(4).build(), c);
        assertEquals(8, c.chunksInFlight());
    }

    @Test
    void asPropertiesRoundTrips() {
        PipelineConfig c = PipelineConfig.builder().job(JobKind.FULL_JACOBIAN).memoryBudget("3GB").chunkSize(17)
                .parallelism(5).chunksInFlight(9).nonFinitePolicy(NonFinitePolicy.ALLOW).build();
        Properties p = new Properties();
        p.putAll(c.asProperties());
        assertEquals(c, PipelineConfigLoader.fromProperties(p));
    }

    @Test
    void relaxedSpellingsAreAccepted() {
        Properties p = new Properties();
        p.setProperty("jacflux.chunkSize", "8");
        p.setProperty("jacflux.memory_budget", "1g");
        p.setProperty("JACFLUX.NON-FINITE-POLICY", "ALLOW");
        p.setProperty("jacflux.job", "PER_SAMPLE_GRADIENT_NORMS");
        p.setProperty("jacflux.chunks-in-flight", " 3 ");
        PipelineConfig c = PipelineConfigLoader.fromProperties(p);
        assertEquals(8, c.chunkSize());
        assertEquals(1L << 30, c.memoryBudgetBytes());
        assertEquals(NonFinitePolicy.ALLOW, c.nonFinitePolicy());
        assertEquals(JobKind.PER_SAMPLE_GRADIENT_NORMS, c.job());
        assertEquals(3, c.chunksInFlight());
    }

    @Test
    void chunkSizeAcceptsAuto() {
        Properties p = new Properties();
        p.setProperty("jacflux.chunk-size", "auto");
        assertEquals(0, PipelineConfigLoader.fromProperties(p).chunkSize());
    }

    @Test
    void unknownPropertyKeyIsNamedAndKnownKeysAreListed() throws IOException {
        Path file = write("app.properties", "jacflux.paralelism=4\n");
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromProperties(file));
        assertEquals("unknown configuration key 'jacflux.paralelism' in file " + file + "; known keys: " + KNOWN_KEYS,
                e.getMessage());
        assertEquals("jacflux.paralelism", e.key());

        Properties nested = new Properties();
        nested.setProperty("jacflux.parallelism.max", "4");
        e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromProperties(nested));
        assertEquals("unknown configuration key 'jacflux.parallelism.max' in properties; known keys: " + KNOWN_KEYS,
                e.getMessage());
    }

    @Test
    void sameKeyInTwoSpellingsIsAnError() {
        Properties p = new Properties();
        p.setProperty("jacflux.chunk-size", "8");
        p.setProperty("jacflux.chunkSize", "16");
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromProperties(p));
        assertEquals("jacflux.chunk-size is set twice in properties: as 'jacflux.chunk-size' and as 'jacflux.chunkSize'",
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "jacflux.parallelism       | many    | jacflux.parallelism: invalid value 'many' (properties, key jacflux.parallelism);"
            + " expected an integer between 1 and 256",
        "jacflux.parallelism       | 99999999999 | jacflux.parallelism: invalid value '99999999999' (properties, key"
            + " jacflux.parallelism); expected an integer between 1 and 256",
        "jacflux.nd4j-threads      | 1.5     | jacflux.nd4j-threads: invalid value '1.5' (properties, key jacflux.nd4j-threads);"
            + " expected 0 (ND4J default) or an integer between 1 and 256",
        "jacflux.chunk-size        | big     | jacflux.chunk-size: invalid value 'big' (properties, key jacflux.chunk-size);"
            + " expected 0 or 'auto' (automatic from jacflux.memory-budget) or an integer between 1 and 2147483647",
        "jacflux.batches-in-flight | x       | jacflux.batches-in-flight: invalid value 'x' (properties, key"
            + " jacflux.batches-in-flight); expected an integer between 1 and 1024",
        "jacflux.chunks-in-flight  | x       | jacflux.chunks-in-flight: invalid value 'x' (properties, key"
            + " jacflux.chunks-in-flight); expected an integer between 1 and 4096",
        "jacflux.memory-budget     | 12XB    | jacflux.memory-budget: invalid value '12XB' (properties, key"
            + " jacflux.memory-budget); expected " + ByteSize.EXPECTED + ", greater than 0",
        "jacflux.job               | jacobian | jacflux.job: invalid value 'jacobian' (properties, key jacflux.job);"
            + " expected one of batch-jacobian, full-jacobian, per-sample-gradients, per-sample-gradient-norms,"
            + " per-sample-param-jacobian",
        "jacflux.precision         | float16 | jacflux.precision: invalid value 'float16' (properties, key jacflux.precision);"
            + " expected one of float32, float64",
        "jacflux.ordering          | random  | jacflux.ordering: invalid value 'random' (properties, key jacflux.ordering);"
            + " expected one of input-order, completion-order",
        "jacflux.error-policy      | ignore  | jacflux.error-policy: invalid value 'ignore' (properties, key"
            + " jacflux.error-policy); expected one of continue, fail-fast",
        "jacflux.non-finite-policy | zero    | jacflux.non-finite-policy: invalid value 'zero' (properties, key"
            + " jacflux.non-finite-policy); expected one of reject, allow",
        "jacflux.parallelism       | 0       | jacflux.parallelism must be between 1 and 256, got 0"
            + " (properties, key jacflux.parallelism)",
        "jacflux.memory-budget     | 0MiB    | jacflux.memory-budget must be greater than 0 bytes, got 0"
            + " (properties, key jacflux.memory-budget)",
        "jacflux.parallelism       | ''      | jacflux.parallelism: no value (properties, key jacflux.parallelism);"
            + " expected an integer between 1 and 256",
    })
    void badValuesNameKeyValueOriginAndExpectation(String key, String value, String message) {
        Properties p = new Properties();
        p.setProperty(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromProperties(p));
        assertEquals(message, e.getMessage());
        assertEquals(key, e.key());
    }

    @Test
    void missingFileIsReported() {
        Path missing = dir.resolve("nope.properties");
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromProperties(missing));
        assertTrue(e.getMessage().startsWith("cannot read configuration file '" + missing + "': "), e.getMessage());
        assertNull(e.key());
    }

    // ------------------------------------------------------------------ YAML

    @Test
    void yamlNestedUnderJacflux() {
        PipelineConfig c = PipelineConfigLoader.fromYaml("""
                spring:
                  application:
                    name: trainer
                jacflux:
                  job: per-sample-param-jacobian
                  chunk-size: 128
                  memory-budget: 2GB
                  parallelism: 2
                  precision: float64
                  error-policy: fail-fast
                """);
        assertEquals(JobKind.PER_SAMPLE_PARAM_JACOBIAN, c.job());
        assertEquals(128, c.chunkSize());
        assertEquals(2_000_000_000L, c.memoryBudgetBytes());
        assertEquals(2, c.parallelism());
        assertEquals(4, c.chunksInFlight());
        assertEquals(Precision.FLOAT64, c.precision());
        assertEquals(ErrorPolicy.FAIL_FAST, c.errorPolicy());
        assertEquals(Ordering.INPUT_ORDER, c.ordering());
    }

    @Test
    void yamlFlatDottedKeysAndPlainByteCounts(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("app.yml"), """
                jacflux.memory-budget: 1048576
                jacflux.batches-in-flight: 3
                """);
        PipelineConfig c = PipelineConfigLoader.fromYaml(file);
        assertEquals(1L << 20, c.memoryBudgetBytes());
        assertEquals(3, c.batchesInFlight());
    }

    @Test
    void emptyYamlGivesDefaults() {
        assertEquals(PipelineConfig.defaults(), PipelineConfigLoader.fromYaml(""));
        assertEquals(PipelineConfig.defaults(), PipelineConfigLoader.fromYaml("other:\n  x: 1\n"));
    }

    @Test
    void yamlUnknownKeyAndBadValues() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromYaml("jacflux:\n  threads: 4\n"));
        assertEquals("unknown configuration key 'jacflux.threads' in YAML text; known keys: " + KNOWN_KEYS,
                e.getMessage());

        e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromYaml("jacflux:\n  parallelism: 2.5\n"));
        assertEquals("jacflux.parallelism: invalid value '2.5' (YAML text, key jacflux.parallelism);"
                + " expected an integer between 1 and 256", e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromYaml("jacflux:\n  parallelism: [1, 2]\n"));
        assertEquals("jacflux.parallelism: invalid value a list (YAML text, key jacflux.parallelism);"
                + " expected a single value: an integer between 1 and 256", e.getMessage());

        e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromYaml("jacflux:\n  job:\n"));
        assertEquals("jacflux.job: no value (YAML text, key jacflux.job); expected one of batch-jacobian,"
                + " full-jacobian, per-sample-gradients, per-sample-gradient-norms, per-sample-param-jacobian",
                e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromYaml("jacflux:\n  chunks-in-flight: 5000\n"));
        assertEquals("jacflux.chunks-in-flight must be between 1 and 4096, got 5000"
                + " (YAML text, key jacflux.chunks-in-flight)", e.getMessage());
    }

    @Test
    void malformedYamlIsReported() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromYaml("jacflux:\n  parallelism: 2\n  parallelism: 3\n"));
        assertTrue(e.getMessage().startsWith("invalid YAML in YAML text: "), e.getMessage());
        assertTrue(e.getMessage().contains("duplicate key parallelism"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromYaml("- a\n- b\n"));
        assertEquals("invalid YAML in YAML text: expected a mapping with a top-level 'jacflux:' key, got a list",
                e.getMessage());

        e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromYaml("jacflux: [unclosed\n"));
        assertTrue(e.getMessage().startsWith("invalid YAML in YAML text: "), e.getMessage());
    }

    // ------------------------------------------------------------------ environment

    @Test
    void environmentVariables() {
        Map<String, String> env = Map.of(
                "JACFLUX_JOB", "full-jacobian",
                "JACFLUX_CHUNK_SIZE", "32",
                "JACFLUX_MEMORY_BUDGET", "64MiB",
                "JACFLUX_PARALLELISM", "6",
                "JACFLUX_ND4J_THREADS", "2",
                "JACFLUX_BATCHES_IN_FLIGHT", "7",
                "JACFLUX_ORDERING", "COMPLETION_ORDER",
                "JACFLUX_NON_FINITE_POLICY", "allow",
                "PATH", "/usr/bin",
                "HOME", "/root");
        PipelineConfig c = PipelineConfigLoader.fromEnvironment(env);
        assertEquals(new PipelineConfig(JobKind.FULL_JACOBIAN, 32, 64L << 20, 6, 2, 7, 12, Precision.FLOAT32,
                Ordering.COMPLETION_ORDER, ErrorPolicy.CONTINUE, NonFinitePolicy.ALLOW), c);
        assertEquals(PipelineConfig.defaults(), PipelineConfigLoader.fromEnvironment(Map.of("PATH", "/bin")));
    }

    @Test
    void otherComponentsVariablesArePassedOver() {
        // the launcher's, the service's token and its property groups share the JACFLUX_ prefix
        PipelineConfig c = PipelineConfigLoader.fromEnvironment(Map.of("JACFLUX_NO_BUILD", "1", "JACFLUX_DEBUG", "1",
                "JACFLUX_TOKEN", "t0k3n", "JACFLUX_SECURITY_TOKEN", "t", "JACFLUX_LIMITS_MAX_REQUEST_SIZE", "1MiB",
                "JACFLUX_KAFKA_BOOTSTRAP_SERVERS", "h:9092", "JACFLUX_PARALLELISM", "3"));
        assertEquals(3, c.parallelism());
        assertEquals(PipelineConfig.defaults().toBuilder().parallelism(3).build(), c);
        // a near miss of one of them is still an unknown pipeline variable
        assertThrows(ConfigException.class, () -> PipelineConfigLoader.fromEnvironment(Map.of("JACFLUX_TOKENS", "x")));
    }

    @Test
    void environmentErrors() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromEnvironment(Map.of("JACFLUX_PARALELISM", "4")));
        assertEquals("unknown environment variable JACFLUX_PARALELISM; known: JACFLUX_JOB, JACFLUX_CHUNK_SIZE,"
                + " JACFLUX_MEMORY_BUDGET, JACFLUX_PARALLELISM, JACFLUX_ND4J_THREADS, JACFLUX_BATCHES_IN_FLIGHT,"
                + " JACFLUX_CHUNKS_IN_FLIGHT, JACFLUX_PRECISION, JACFLUX_ORDERING, JACFLUX_ERROR_POLICY,"
                + " JACFLUX_NON_FINITE_POLICY", e.getMessage());
        assertEquals("jacflux.paralelism", e.key());

        e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromEnvironment(Map.of("JACFLUX_PARALLELISM", "0")));
        assertEquals("jacflux.parallelism must be between 1 and 256, got 0 (environment variable JACFLUX_PARALLELISM)",
                e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromEnvironment(Map.of("JACFLUX_MEMORY_BUDGET", "half")));
        assertEquals("jacflux.memory-budget: invalid value 'half' (environment variable JACFLUX_MEMORY_BUDGET);"
                + " expected " + ByteSize.EXPECTED + ", greater than 0", e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.fromEnvironment(Map.of("JACFLUX_CHUNK_SIZE", "")));
        assertEquals("jacflux.chunk-size: no value (environment variable JACFLUX_CHUNK_SIZE); expected 0 or 'auto'"
                + " (automatic from jacflux.memory-budget) or an integer between 1 and 2147483647", e.getMessage());
    }

    @Test
    void knownNames() {
        assertEquals(KNOWN_KEYS, String.join(", ", PipelineConfigLoader.knownKeys()));
        assertEquals("JACFLUX_ND4J_THREADS", PipelineConfigLoader.knownEnvironmentVariables().get(4));
    }

    // ------------------------------------------------------------------ layering

    @Test
    void environmentOverridesFileOverridesDefaults() throws IOException {
        Path yaml = write("application.yaml", """
                jacflux:
                  job: per-sample-gradients
                  parallelism: 2
                  memory-budget: 256MiB
                """);
        PipelineConfig c = PipelineConfigLoader.load(yaml, Map.of("JACFLUX_PARALLELISM", "4", "USER", "x"));
        assertEquals(JobKind.PER_SAMPLE_GRADIENTS, c.job());          // file
        assertEquals(4, c.parallelism());                            // environment beats file
        assertEquals(8, c.chunksInFlight());                         // derived from the winning parallelism
        assertEquals(256L << 20, c.memoryBudgetBytes());             // file
        assertEquals(2, c.batchesInFlight());                        // default
        assertEquals(Precision.FLOAT32, c.precision());              // default

        Path props = write("jacflux.properties", "jacflux.chunk-size=16\njacflux.precision=float64\n");
        c = PipelineConfigLoader.load(props, Map.of("JACFLUX_CHUNK_SIZE", "auto"));
        assertEquals(0, c.chunkSize());
        assertEquals(Precision.FLOAT64, c.precision());

        assertEquals(PipelineConfig.builder().parallelism(3).build(),
                PipelineConfigLoader.load(Map.of("JACFLUX_PARALLELISM", "3")));
    }

    @Test
    void mergedValuesAreValidatedOnceAndErrorsNameTheWinningSource() throws IOException {
        // the file alone would be invalid, the environment fixes it
        Path yaml = write("a.yaml", "jacflux:\n  parallelism: 0\n");
        assertEquals(1, PipelineConfigLoader.load(yaml, Map.of("JACFLUX_PARALLELISM", "1")).parallelism());

        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.load(yaml, Map.of()));
        assertEquals("jacflux.parallelism must be between 1 and 256, got 0 (file " + yaml
                + ", key jacflux.parallelism)", e.getMessage());

        Path ok = write("b.yaml", "jacflux:\n  parallelism: 2\n");
        e = assertThrows(ConfigException.class,
                () -> PipelineConfigLoader.load(ok, Map.of("JACFLUX_BATCHES_IN_FLIGHT", "2000")));
        assertEquals("jacflux.batches-in-flight must be between 1 and 1024, got 2000"
                + " (environment variable JACFLUX_BATCHES_IN_FLIGHT)", e.getMessage());
    }

    @Test
    void unsupportedFileExtension() throws IOException {
        Path json = write("jacflux.json", "{}");
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfigLoader.load(json, Map.of()));
        assertEquals("unsupported configuration file '" + json + "': expected a .properties, .yaml or .yml file",
                e.getMessage());
    }
}
