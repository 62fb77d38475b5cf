package dev.jacflux.spring.boot;

import dev.jacflux.config.ByteSize;
import dev.jacflux.config.ConfigException;
import dev.jacflux.config.ErrorPolicy;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.NonFinitePolicy;
import dev.jacflux.config.Ordering;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The pipeline's {@code jacflux.*} properties, bound by Spring Boot from {@code application.yaml},
 * {@code application.properties}, {@code JACFLUX_*} environment variables or command-line
 * arguments. The keys, values and defaults are those of the {@code config} module
 * ({@link PipelineConfig}, {@code PipelineConfigLoader}); {@link #toPipelineConfig()} validates them
 * there, so a bad value fails start-up with the same message naming the key.
 *
 * <pre>{@code
 * # application.yaml
 * jacflux:
 *   job: per-sample-gradients
 *   memory-budget: 1GiB
 *   parallelism: 2
 * }</pre>
 *
 * @param job               What each batch computes: batch-jacobian, full-jacobian, per-sample-gradients,
 *                          per-sample-gradient-norms or per-sample-param-jacobian.
 * @param chunkSize         Rows (Jacobians) or samples (per-sample jobs) per reverse pass: "auto" (or 0)
 *                          chooses from the memory budget, else an integer of at least 1.
 * @param memoryBudget      Working memory of the chunks in flight, e.g. 512MiB, 2GB, 1g (KB, MB, GB are
 *                          powers of 1000; KiB, MiB, GiB and k, m, g powers of 1024).
 * @param parallelism       Rails of the pipeline's parallel scheduler, 1 to 256; default min(2, cores).
 * @param nd4jThreads       ND4J's OpenMP and BLAS threads; 0 leaves ND4J's default (OMP_NUM_THREADS).
 * @param batchesInFlight   Batches admitted at once, 1 to 1024.
 * @param chunksInFlight    Chunks running at once, 1 to 4096; default twice the parallelism.
 * @param precision         Precision of the computation: float32 or float64.
 * @param ordering          Order of the results: input-order or completion-order.
 * @param errorPolicy       What a failed batch does: continue (it yields a failure and the stream goes
 *                          on) or fail-fast.
 * @param nonFinitePolicy   What a batch with NaN or infinite inputs does: reject (it fails) or allow.
 */
@ConfigurationProperties(prefix = PipelineConfig.PREFIX)
public record JacFluxProperties(
        @DefaultValue("batch-jacobian") JobKind job,
        @DefaultValue("auto") String chunkSize,
        @DefaultValue("512MiB") ByteSize memoryBudget,
        Integer parallelism,
        @DefaultValue("0") int nd4jThreads,
        @DefaultValue("2") int batchesInFlight,
        Integer chunksInFlight,
        @DefaultValue("float32") Precision precision,
        @DefaultValue("input-order") Ordering ordering,
        @DefaultValue("continue") ErrorPolicy errorPolicy,
        @DefaultValue("reject") NonFinitePolicy nonFinitePolicy) {

    /**
     * The validated pipeline configuration.
     *
     * @throws ConfigException naming the key, the value and the allowed range
     */
    public PipelineConfig toPipelineConfig() {
        PipelineConfig.Builder b = PipelineConfig.builder()
                .job(job)
                .chunkSize(parseChunkSize(chunkSize))
                .memoryBudgetBytes(memoryBudget == null ? PipelineConfig.DEFAULT_MEMORY_BUDGET_BYTES : memoryBudget.bytes())
                .nd4jThreads(nd4jThreads)
                .batchesInFlight(batchesInFlight)
                .precision(precision)
                .ordering(ordering)
                .errorPolicy(errorPolicy)
                .nonFinitePolicy(nonFinitePolicy);
        if (parallelism != null) {
            b.parallelism(parallelism);
        }
        if (chunksInFlight != null) {
            b.chunksInFlight(chunksInFlight);
        }
        return b.build();
    }

    private static int parseChunkSize(String text) {
        String v = text == null ? "auto" : text.trim();
        if (v.toLowerCase(Locale.ROOT).equals("auto")) {
            return 0;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            String key = PipelineConfig.PREFIX + ".chunk-size";
            throw new ConfigException(key, key + ": invalid value '" + text + "'; expected 0 or 'auto' (automatic from "
                    + PipelineConfig.PREFIX + ".memory-budget) or an integer between 1 and " + Integer.MAX_VALUE, e);
        }
    }
}
