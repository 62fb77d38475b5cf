package dev.jacflux.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jacflux.config.ConfigException;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.metrics.JacFluxMetrics;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.JobDefinitions;
import dev.jacflux.pipeline.PipelineListener;
import dev.jacflux.spring.boot.testapp.StarterTestApplication;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;

/** Each bean of the auto-configuration, its back-off, and bad values. */
class JacFluxAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacFluxAutoConfiguration.class, JacFluxHealthAutoConfiguration.class));

    @Test
    void withoutPropertiesTheConfigurationIsTheConfigModulesDefaults() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertEquals(PipelineConfig.defaults(), ctx.getBean(PipelineConfig.class));
            assertThat(ctx).hasSingleBean(JacFluxMetrics.class).hasSingleBean(JacobianPipelines.class)
                    .hasSingleBean(JacFluxHealthIndicator.class).hasBean("jacfluxMetricsListener")
                    .doesNotHaveBean(JacobianPipeline.class);
        });
    }

    @Test
    void relaxedNamesAndTheConfigModulesByteUnitsBind() {
        // KB/MB/GB are powers of 1000 as in the config module (Spring's DataSize would read 1024)
        runner.withPropertyValues("jacflux.memoryBudget=2GB", "jacflux.JOB=per_sample_gradients", "jacflux.chunk-size=AUTO",
                "jacflux.chunks-in-flight=7").run(ctx -> {
                    PipelineConfig c = ctx.getBean(PipelineConfig.class);
                    assertEquals(2_000_000_000L, c.memoryBudgetBytes());
                    assertEquals(JobKind.PER_SAMPLE_GRADIENTS, c.job());
                    assertEquals(0, c.chunkSize());
                    assertEquals(7, c.chunksInFlight());
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jacflux.parallelism=0         | jacflux.parallelism must be between 1 and 256, got 0",
        "jacflux.batches-in-flight=0   | jacflux.batches-in-flight must be between 1 and 1024, got 0",
        "jacflux.memory-budget=0       | jacflux.memory-budget must be greater than 0 bytes, got 0",
        "jacflux.chunk-size=lots       | jacflux.chunk-size: invalid value 'lots'",
        "jacflux.chunk-size=-2         | jacflux.chunk-size must be 0",
        "jacflux.nd4j-threads=300      | jacflux.nd4j-threads must be 0 (ND4J default) or between 1 and 256, got 300"})
    void anInvalidValueFailsTheContextWithTheConfigModulesMessage(String property, String message) {
        runner.withPropertyValues(property).run(ctx -> {
            assertThat(ctx).hasFailed();
            Throwable e = ctx.getStartupFailure();
            while (e != null && !(e instanceof ConfigException)) {
                e = e.getCause();
            }
            assertThat(e).as("a ConfigException in the cause chain").isInstanceOf(ConfigException.class).hasMessageContaining(message);
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jacflux.memory-budget=12XB | jacflux.memory-budget | unknown unit 'XB'",
        "jacflux.job=hessian        | jacflux.job           | hessian",
        "jacflux.parallelism=two    | jacflux.parallelism   | two"})
    void aValueThatDoesNotConvertFailsBindingNamingTheKey(String property, String key, String detail) {
        runner.withPropertyValues(property).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining(key).hasStackTraceContaining(detail);
        });
    }

    @Test
    void everyBeanBacksOffForTheApplicationsOwn() {
        runner.withUserConfiguration(OwnBeans.class).run(ctx -> {
            assertSame(OwnBeans.CONFIG, ctx.getBean(PipelineConfig.class));
            assertSame(OwnBeans.METRICS, ctx.getBean(JacFluxMetrics.class));
            assertSame(OwnBeans.PIPELINES, ctx.getBean(JacobianPipelines.class));
            assertSame(OwnBeans.HEALTH, ctx.getBean("jacfluxHealthIndicator"));
            assertSame(OwnBeans.LISTENER, ctx.getBean("jacfluxMetricsListener"));
            assertSame(OwnBeans.PIPELINE, ctx.getBean(JacobianPipeline.class));
        });
    }

    @Test
    void oneJobDefinitionGetsAPipelineTwoGetNone() {
        runner.withUserConfiguration(OneDefinition.class).run(ctx -> assertThat(ctx).hasSingleBean(JacobianPipeline.class));
        runner.withUserConfiguration(OneDefinition.class, SecondDefinition.class)
                .run(ctx -> assertThat(ctx).doesNotHaveBean(JacobianPipeline.class));
    }

    @Test
    void everyListenerBeanHearsThePipelineBesideTheMeters() {
        runner.withUserConfiguration(OneDefinition.class, CountingListener.class).run(ctx -> {
            ctx.getBean(JacobianPipeline.class).process(Flux.just(Batch.of("a", Nd4j.rand(3, 6)), Batch.of("b", Nd4j.rand(2, 6))))
                    .blockLast();
            assertEquals(2, ctx.getBean(CountingListener.class).succeeded.get());
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            ctx.getBean(JacFluxMetrics.class).bindTo(registry);
            ctx.getBean(JacobianPipeline.class).process(Flux.just(Batch.of("c", Nd4j.rand(4, 6)))).blockLast();
            assertEquals(4.0, registry.get("jacflux.samples").tag("outcome", "success").counter().count());
            assertEquals(3, ctx.getBean(CountingListener.class).succeeded.get());
        });
    }

    @Test
    void theHealthIndicatorCanBeTurnedOffAndReportsDownWhenTheBackendFails() {
        runner.withPropertyValues("management.health.jacflux.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(JacFluxHealthIndicator.class));
        JacFluxHealthIndicator broken = new JacFluxHealthIndicator(PipelineConfig.defaults(), () -> {
            throw new UnsatisfiedLinkError("no jnind4jcpu in java.library.path:\n /usr/lib");
        });
        Health h = broken.health();
        assertEquals(Status.DOWN, h.getStatus());
        assertEquals("ND4J native backend not available: no jnind4jcpu in java.library.path: /usr/lib", h.getDetails().get("error"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
        static final PipelineConfig CONFIG = PipelineConfig.builder().parallelism(1).build();
        static final JacFluxMetrics METRICS = new JacFluxMetrics();
        static final JacobianPipelines PIPELINES = new JacobianPipelines(CONFIG, PipelineListener.NOOP);
        static final JacFluxHealthIndicator HEALTH = new JacFluxHealthIndicator(CONFIG, java.util.Map::of);
        static final PipelineListener LISTENER = new PipelineListener() {
        };
        static final JacobianPipeline PIPELINE = JacobianPipeline.create(CONFIG, JobDefinitions.batchJacobian(x -> x.tanh()));

        @Bean
        PipelineConfig myConfig() {
            return CONFIG;
        }

        @Bean
        JacFluxMetrics myMetrics() {
            return METRICS;
        }

        @Bean
        JacobianPipelines myPipelines() {
            return PIPELINES;
        }

        @Bean
        JacFluxHealthIndicator jacfluxHealthIndicator() {
            return HEALTH;
        }

        @Bean
        PipelineListener jacfluxMetricsListener() {
            return LISTENER;
        }

        @Bean
        JacobianPipeline myPipeline() {
            return PIPELINE;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OneDefinition {
        @Bean
        JobDefinition first() {
            return JobDefinitions.batchJacobian(StarterTestApplication.function());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondDefinition {
        @Bean
        JobDefinition second() {
            return JobDefinitions.fullJacobian(StarterTestApplication.function());
        }
    }

    static class CountingListener implements PipelineListener {
        final AtomicInteger succeeded = new AtomicInteger();

        @Override
        public void batchSucceeded(String job, int samples, long entries, long bytes, java.time.Duration total) {
            succeeded.incrementAndGet();
        }
    }
}
