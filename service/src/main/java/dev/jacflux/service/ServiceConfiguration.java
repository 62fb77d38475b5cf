package dev.jacflux.service;

import dev.jacflux.config.PipelineConfig;
import dev.jacflux.service.jobs.JobHandler;
import dev.jacflux.service.jobs.JobMeters;
import dev.jacflux.service.jobs.JobPipelines;
import dev.jacflux.service.jobs.JobResultListener;
import dev.jacflux.service.jobs.JobRouter;
import dev.jacflux.service.jobs.JobSlots;
import dev.jacflux.service.models.ModelRoutes;
import dev.jacflux.service.models.ModelStore;
import dev.jacflux.service.models.ModelStoreHealthIndicator;
import dev.jacflux.spring.boot.JacobianPipelines;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The service's beans. Routes are {@link RouterFunction} beans, one per feature; Spring WebFlux
 * combines every such bean, so a new feature (trainings, datasets, the dashboard) adds its own
 * bean the same way, next to these, without touching them.
 *
 * <pre>{@code
 * @Bean
 * RouterFunction<ServerResponse> trainingApi(TrainingHandler h) {
 *     return RouterFunctions.route().POST("/v1/trainings", h::start).GET("/v1/trainings/{id}/events", h::events).build();
 * }
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
public class ServiceConfiguration {

    /**
     * Loads ND4J's native backend while the application starts, before it listens: a jar whose
     * natives cannot load fails to start, naming the cause, and the first request does not pay the
     * loading time.
     */
    @Bean
    NativeBackend nativeBackend() {
        return NativeBackend.load();
    }

    /** The models in {@code jacflux.data-dir}/models; other features load models through it. */
    @Bean
    ModelStore modelStore(ServiceProperties properties) {
        return new ModelStore(properties.dataDir());
    }

    /** {@code jacflux.limits.max-concurrent-jobs}. */
    @Bean
    JobSlots jobSlots(ServiceProperties properties) {
        return new JobSlots(properties.limits().maxConcurrentJobs());
    }

    /** Routes each batch to the model of its request. */
    @Bean
    JobRouter jobRouter() {
        return new JobRouter();
    }

    /** One pipeline per job kind and precision. */
    @Bean
    JobPipelines jobPipelines(JacobianPipelines factory, JobRouter router) {
        return new JobPipelines(factory, router);
    }

    /** The model store as a health component. */
    @Bean
    ModelStoreHealthIndicator modelsHealthIndicator(ModelStore store) {
        return new ModelStoreHealthIndicator(store);
    }

    /** {@code /v1/models}. */
    @Bean
    RouterFunction<ServerResponse> modelApi(ModelStore store) {
        ModelRoutes m = new ModelRoutes(store);
        return RouterFunctions.route()
                .POST("/v1/models", m::upload)
                .GET("/v1/models", m::list)
                .GET("/v1/models/{id}", m::get)
                .DELETE("/v1/models/{id}", m::delete)
                .build();
    }

    /** The service's own meters (refused and cancelled jobs, running jobs). */
    @Bean
    JobMeters jobMeters(MeterRegistry registry, JobSlots slots) {
        return new JobMeters(registry, slots);
    }

    /** {@code /v1/models/{id}/jacobian} and {@code /v1/models/{id}/grads}; each written batch result is told to every {@link JobResultListener} bean. */
    @Bean
    RouterFunction<ServerResponse> jobApi(ModelStore store, JobPipelines pipelines, JobSlots slots, ServiceProperties properties,
            PipelineConfig config, JobMeters meters, ObjectProvider<JobResultListener> resultListeners) {
        JobHandler h = new JobHandler(store, pipelines, slots, properties, config, meters, resultListeners.orderedStream().toList());
        return RouterFunctions.route()
                .POST("/v1/models/{id}/jacobian", h::jacobian)
                .POST("/v1/models/{id}/grads", h::grads)
                .build();
    }
}
