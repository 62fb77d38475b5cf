package dev.jacflux.spring.boot;

import dev.jacflux.config.PipelineConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code jacflux} health indicator ({@link JacFluxHealthIndicator}), when Boot's health
 * support is on the class path; {@code management.health.jacflux.enabled=false} turns it off and a
 * bean named {@code jacfluxHealthIndicator} replaces it.
 *
 * <pre>{@code
 * GET /actuator/health  ->  {"status":"UP","components":{"jacflux":{"status":"UP","details":{"backend":"CpuBackend",...}}}}
 * }</pre>
 */
@AutoConfiguration(after = JacFluxAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnEnabledHealthIndicator("jacflux")
public class JacFluxHealthAutoConfiguration {

    /** ND4J backend, threads and memory budget as a health component. */
    @Bean
    @ConditionalOnMissingBean(name = "jacfluxHealthIndicator")
    JacFluxHealthIndicator jacfluxHealthIndicator(PipelineConfig config) {
        return new JacFluxHealthIndicator(config, JacFluxHealthIndicator.ND4J);
    }
}
