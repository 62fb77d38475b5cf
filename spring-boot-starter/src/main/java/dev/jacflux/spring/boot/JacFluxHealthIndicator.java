package dev.jacflux.spring.boot;

import dev.jacflux.config.PipelineConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of JacFlux's compute side: UP when the ND4J backend is loaded, with its BLAS, its
 * threads, the off-heap memory in use and its limit, and the pipeline's parallelism and memory
 * budget; DOWN, with a one-line reason, when the native backend cannot be loaded.
 *
 * <pre>{@code
 * "jacflux": {"status": "UP", "details": {"backend": "CpuBackend", "blas": "OPENBLAS", "nd4jThreads": 2,
 *     "blasThreads": 2, "offHeapBytes": 12582912, "offHeapLimitBytes": 4294967296,
 *     "parallelism": 2, "memoryBudget": "512MiB"}}
 * }</pre>
 */
public final class JacFluxHealthIndicator implements HealthIndicator {

    /** Describes the native backend; throws (any {@code Throwable}) if it is not usable. */
    @FunctionalInterface
    public interface BackendProbe {
        /** Details of the loaded backend, in display order. */
        Map<String, Object> describe();
    }

    /** The ND4J backend of this JVM (loading it on first use). */
    public static final BackendProbe ND4J = () -> {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        d.put("blas", String.valueOf(Nd4j.factory().blas().getBlasVendor()));
        d.put("nd4jThreads", Nd4j.getEnvironment().maxThreads());
        d.put("blasThreads", Nd4j.factory().blas().getMaxThreads());
        d.put("offHeapBytes", Pointer.totalBytes());
        d.put("offHeapLimitBytes", Pointer.maxBytes());
        return d;
    };

    private final PipelineConfig config;
    private final BackendProbe probe;

    /** An indicator for {@code config} that checks the backend with {@code probe}. */
    public JacFluxHealthIndicator(PipelineConfig config, BackendProbe probe) {
        this.config = config;
        this.probe = probe;
    }

    @Override
    public Health health() {
        Map<String, Object> details;
        try {
            details = probe.describe();
        } catch (Throwable e) {  // UnsatisfiedLinkError, ExceptionInInitializerError, ...
            return Health.down().withDetail("error", "ND4J native backend not available: " + oneLine(e)).build();
        }
        return Health.up().withDetails(details)
                .withDetail("parallelism", config.parallelism())
                .withDetail("memoryBudget", config.memoryBudget().toString())
                .build();
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? "no message" : root.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
