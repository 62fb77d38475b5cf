package dev.jacflux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PipelineConfigTest {

    @Test
    void defaults() {
        PipelineConfig c = PipelineConfig.defaults();
        int expectedParallelism = Math.min(2, Runtime.getRuntime().availableProcessors());
        assertEquals(JobKind.BATCH_JACOBIAN, c.job());
        assertEquals(0, c.chunkSize());
        assertTrue(c.automaticChunkSize());
        assertEquals(512L * 1024 * 1024, c.memoryBudgetBytes());
        assertEquals(ByteSize.parse("512MiB"), c.memoryBudget());
        assertEquals(expectedParallelism, c.parallelism());
        assertEquals(0, c.nd4jThreads());
        assertEquals(2, c.batchesInFlight());
        assertEquals(2 * expectedParallelism, c.chunksInFlight());
        assertEquals(Precision.FLOAT32, c.precision());
        assertEquals(Ordering.INPUT_ORDER, c.ordering());
        assertEquals(ErrorPolicy.CONTINUE, c.errorPolicy());
        assertEquals(NonFinitePolicy.REJECT, c.nonFinitePolicy());
    }

    static Stream<Arguments> invalidFields() {
        return Stream.of(
            bad("jacflux.job", b -> b.job(null),
                "jacflux.job must be one of batch-jacobian, full-jacobian, per-sample-gradients,"
                    + " per-sample-gradient-norms, per-sample-param-jacobian, got null"),
            bad("jacflux.chunk-size", b -> b.chunkSize(-1),
                "jacflux.chunk-size must be 0 (automatic from jacflux.memory-budget) or between 1 and 2147483647,"
                    + " got -1"),
            bad("jacflux.memory-budget", b -> b.memoryBudgetBytes(0),
                "jacflux.memory-budget must be greater than 0 bytes, got 0"),
            bad("jacflux.memory-budget", b -> b.memoryBudgetBytes(-5),
                "jacflux.memory-budget must be greater than 0 bytes, got -5"),
            bad("jacflux.parallelism", b -> b.parallelism(0),
                "jacflux.parallelism must be between 1 and 256, got 0"),
            bad("jacflux.parallelism", b -> b.parallelism(257),
                "jacflux.parallelism must be between 1 and 256, got 257"),
            bad("jacflux.nd4j-threads", b -> b.nd4jThreads(-1),
                "jacflux.nd4j-threads must be 0 (ND4J default) or between 1 and 256, got -1"),
            bad("jacflux.nd4j-threads", b -> b.nd4jThreads(257),
                "jacflux.nd4j-threads must be 0 (ND4J default) or between 1 and 256, got 257"),
            bad("jacflux.batches-in-flight", b -> b.batchesInFlight(0),
                "jacflux.batches-in-flight must be between 1 and 1024, got 0"),
            bad("jacflux.batches-in-flight", b -> b.batchesInFlight(1025),
                "jacflux.batches-in-flight must be between 1 and 1024, got 1025"),
            bad("jacflux.chunks-in-flight", b -> b.chunksInFlight(0),
                "jacflux.chunks-in-flight must be between 1 and 4096, got 0"),
            bad("jacflux.chunks-in-flight", b -> b.chunksInFlight(4097),
                "jacflux.chunks-in-flight must be between 1 and 4096, got 4097"),
            bad("jacflux.precision", b -> b.precision(null),
                "jacflux.precision must be one of float32, float64, got null"),
            bad("jacflux.ordering", b -> b.ordering(null),
                "jacflux.ordering must be one of input-order, completion-order, got null"),
            bad("jacflux.error-policy", b -> b.errorPolicy(null),
                "jacflux.error-policy must be one of continue, fail-fast, got null"),
            bad("jacflux.non-finite-policy", b -> b.nonFinitePolicy(null),
                "jacflux.non-finite-policy must be one of reject, allow, got null"));
    }

    private static Arguments bad(String key, UnaryOperator<PipelineConfig.Builder> change, String message) {
        return Arguments.of(key, change, message);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("invalidFields")
    void eachInvalidFieldNamesItselfAndItsRange(String key, UnaryOperator<PipelineConfig.Builder> change,
            String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> change.apply(PipelineConfig.builder()).build());
        assertEquals(message, e.getMessage());
        assertEquals(key, e.key());
    }

    @Test
    void canonicalConstructorValidatesToo() {
        ConfigException e = assertThrows(ConfigException.class, () -> new PipelineConfig(JobKind.FULL_JACOBIAN, 0,
                1024, 1, 0, 1, 1, Precision.FLOAT64, Ordering.COMPLETION_ORDER, ErrorPolicy.FAIL_FAST, null));
        assertEquals("jacflux.non-finite-policy", e.key());
    }

    @Test
    void boundariesAreAccepted() {
        PipelineConfig low = PipelineConfig.builder().chunkSize(0).memoryBudgetBytes(1).parallelism(1)
                .nd4jThreads(0).batchesInFlight(1).chunksInFlight(1).build();
        assertEquals(1, low.chunksInFlight());
        PipelineConfig high = PipelineConfig.builder().chunkSize(Integer.MAX_VALUE).memoryBudgetBytes(Long.MAX_VALUE)
                .parallelism(256).nd4jThreads(256).batchesInFlight(1024).chunksInFlight(4096).build();
        assertEquals(256, high.parallelism());
        assertEquals(1, PipelineConfig.builder().nd4jThreads(1).build().nd4jThreads());
    }

    @Test
    void chunksInFlightFollowsParallelismUnlessSet() {
        assertEquals(8, PipelineConfig.builder().parallelism(4).build().chunksInFlight());
        assertEquals(512, PipelineConfig.builder().parallelism(256).build().chunksInFlight());
        assertEquals(3, PipelineConfig.builder().parallelism(4).chunksInFlight(3).build().chunksInFlight());

        PipelineConfig derived = PipelineConfig.builder().parallelism(2).build();
        assertEquals(16, derived.toBuilder().parallelism(8).build().chunksInFlight());
        PipelineConfig explicit = PipelineConfig.builder().parallelism(2).chunksInFlight(5).build();
        assertEquals(5, explicit.toBuilder().parallelism(8).build().chunksInFlight());
    }

    @Test
    void toBuilderCopiesEveryField() {
        PipelineConfig c = PipelineConfig.builder().job(JobKind.PER_SAMPLE_GRADIENT_NORMS).chunkSize(32)
                .memoryBudget("1g").parallelism(3).nd4jThreads(2).batchesInFlight(5).chunksInFlight(7)
                .precision(Precision.FLOAT64).ordering(Ordering.COMPLETION_ORDER).errorPolicy(ErrorPolicy.FAIL_FAST)
                .nonFinitePolicy(NonFinitePolicy.ALLOW).build();
        assertEquals(c, c.toBuilder().build());
        assertEquals(1L << 30, c.memoryBudgetBytes());
        assertEquals(64, c.toBuilder().chunkSize(64).build().chunkSize());
        assertEquals(7, c.toBuilder().chunkSize(64).build().chunksInFlight());
    }

    @Test
    void memoryBudgetTextErrorsNameTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfig.builder().memoryBudget("lots"));
        assertEquals("jacflux.memory-budget: invalid byte size 'lots': expected " + ByteSize.EXPECTED, e.getMessage());
        assertEquals("jacflux.memory-budget", e.key());
    }

    @Test
    void asPropertiesUsesKebabKeysAndConfigNames() {
        PipelineConfig c = PipelineConfig.builder().job(JobKind.PER_SAMPLE_PARAM_JACOBIAN).memoryBudget("2GB")
                .parallelism(2).ordering(Ordering.COMPLETION_ORDER).build();
        Map<String, String> p = c.asProperties();
        assertEquals(List.of("jacflux.job", "jacflux.chunk-size", "jacflux.memory-budget", "jacflux.parallelism",
                "jacflux.nd4j-threads", "jacflux.batches-in-flight", "jacflux.chunks-in-flight", "jacflux.precision",
                "jacflux.ordering", "jacflux.error-policy", "jacflux.non-finite-policy"), List.copyOf(p.keySet()));
        assertEquals("per-sample-param-jacobian", p.get("jacflux.job"));
        assertEquals("2GB", p.get("jacflux.memory-budget"));
        assertEquals("completion-order", p.get("jacflux.ordering"));
        assertEquals("4", p.get("jacflux.chunks-in-flight"));
        assertEquals(PipelineConfigLoader.knownKeys(), List.copyOf(p.keySet()));
    }

    @ParameterizedTest
    @EnumSource(JobKind.class)
    void jobKindConfigNamesRoundTrip(JobKind kind) {
        assertEquals(kind, JobKind.fromConfigName(kind.configName()));
        assertEquals(kind, JobKind.fromConfigName(kind.name()));
        assertTrue(kind.configName().matches("[a-z]+(-[a-z]+)*"), kind.configName());
    }

    @Test
    void enumConfigNames() {
        assertEquals("batch-jacobian", JobKind.BATCH_JACOBIAN.configName());
        assertEquals("per-sample-param-jacobian", JobKind.PER_SAMPLE_PARAM_JACOBIAN.configName());
        assertEquals(Precision.FLOAT64, Precision.fromConfigName("Float64"));
        assertEquals(8, Precision.FLOAT64.bytesPerElement());
        assertEquals(4, Precision.FLOAT32.bytesPerElement());
        assertEquals(Ordering.COMPLETION_ORDER, Ordering.fromConfigName("completion_order"));
        assertEquals(ErrorPolicy.FAIL_FAST, ErrorPolicy.fromConfigName(" fail-fast "));
        assertEquals(NonFinitePolicy.ALLOW, NonFinitePolicy.fromConfigName("ALLOW"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobKind.fromConfigName("jacobian"));
        assertEquals("unknown JobKind 'jacobian', expected one of batch-jacobian, full-jacobian,"
                + " per-sample-gradients, per-sample-gradient-norms, per-sample-param-jacobian", e.getMessage());
    }
}
