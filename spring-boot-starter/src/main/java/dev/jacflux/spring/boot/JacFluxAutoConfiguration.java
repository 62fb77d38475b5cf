package dev.jacflux.spring.boot;

import dev.jacflux.config.PipelineConfig;
import dev.jacflux.metrics.JacFluxMetrics;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.PipelineListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * JacFlux for any Spring Boot application: add {@code jacflux-spring-boot-starter} and the
 * {@code jacflux.*} properties are bound ({@link JacFluxProperties}), and these beans appear, each
 * backing off when the application defines its own:
 * <ul>
 *   <li>{@link PipelineConfig} {@code jacfluxPipelineConfig}: the validated configuration;</li>
 *   <li>{@link JacFluxMetrics} {@code jacfluxMetrics}: a {@code MeterBinder}, so Boot binds the
 *       {@code jacflux.*} meters to the application's registry (Prometheus: {@code jacflux_*});</li>
 *   <li>{@link PipelineListener} {@code jacfluxMetricsListener}: the metrics' listener;</li>
 *   <li>{@link JacobianPipelines} {@code jacobianPipelines}: creates pipelines with that
 *       configuration, reporting to every {@code PipelineListener} bean (the metrics' first,
 *       then the others in their {@code @Order});</li>
 *   <li>{@link JacobianPipeline} {@code jacobianPipeline}: when the application defines one
 *       {@link JobDefinition} bean, a pipeline running it.</li>
 * </ul>
 * The health indicator is in {@link JacFluxHealthAutoConfiguration}.
 *
 * <pre>{@code
 * @SpringBootApplication
 * class SaliencyApp {
 *     @Bean
 *     JobDefinition saliency() {
 *         return JobDefinitions.batchJacobian(x -> x.matmul(w).softmax(-1));
 *     }
 * }
 * // elsewhere: @Autowired JacobianPipeline pipeline; pipeline.process(batches)...
 * }</pre>
 */
@AutoConfiguration
@EnableConfigurationProperties(JacFluxProperties.class)
public class JacFluxAutoConfiguration {

    /** Reads {@code jacflux.*} byte sizes with the config module's units. */
    @Bean
    @ConfigurationPropertiesBinding
    @ConditionalOnMissingBean(name = "jacfluxByteSizeConverter")
    static ByteSizeConverter jacfluxByteSizeConverter() {
        return new ByteSizeConverter();
    }

    /** The validated pipeline configuration; an invalid value fails start-up naming the key. */
    @Bean
    @ConditionalOnMissingBean
    PipelineConfig jacfluxPipelineConfig(JacFluxProperties properties) {
        return properties.toPipelineConfig();
    }

    /** JacFlux's meters, bound by Boot to the application's meter registry. */
    @Bean
    @ConditionalOnMissingBean
    JacFluxMetrics jacfluxMetrics() {
        return new JacFluxMetrics();
    }

    /** The listener that turns pipeline events into JacFlux's meters; it hears each event before other listeners. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "jacfluxMetricsListener")
    PipelineListener jacfluxMetricsListener(JacFluxMetrics metrics) {
        return metrics.listener();
    }

    /** Creates pipelines that report to every {@link PipelineListener} bean. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    JacobianPipelines jacobianPipelines(PipelineConfig config, ObjectProvider<PipelineListener> listeners) {
        PipelineListener[] all = listeners.orderedStream().toArray(PipelineListener[]::new);
        return new JacobianPipelines(config, all.length == 1 ? all[0] : PipelineListener.composite(all));
    }

    /** A pipeline for the application's one {@link JobDefinition} bean. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(JobDefinition.class)
    JacobianPipeline jacobianPipeline(JacobianPipelines pipelines, JobDefinition definition) {
        return pipelines.create(definition);
    }
}
