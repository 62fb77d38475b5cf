package dev.jacflux.service.trainings;

import dev.jacflux.service.ServiceProperties;
import dev.jacflux.service.datasets.DatasetStore;
import dev.jacflux.service.models.ModelStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The beans of private training in the service: the live feed of the trainings' figures
 * ({@link TrainingFeed}, for the dashboard), the {@link TrainingManager} (which resumes the trainings
 * a stopped service left running), the routes {@code /v1/trainings} and the {@code trainings}
 * health component.
 *
 * <pre>{@code
 * @Autowired TrainingFeed feed;   // feed.updates(), feed.latest()
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
public class TrainingConfiguration {

    /** The trainings' live figures. */
    @Bean
    TrainingUpdates trainingFeed() {
        return new TrainingUpdates();
    }

    /** The trainings in {@code jacflux.data-dir}/trainings. */
    @Bean
    TrainingManager trainingManager(ServiceProperties service, TrainingProperties properties, ModelStore models, DatasetStore datasets,
            TrainingUpdates feed, MeterRegistry registry) {
        return new TrainingManager(service.dataDir(), properties, models, datasets, feed, registry);
    }

    /** The trainings as a health component. */
    @Bean
    TrainingsHealthIndicator trainingsHealthIndicator(TrainingManager manager, TrainingProperties properties) {
        return new TrainingsHealthIndicator(manager, properties);
    }

    /** {@code /v1/trainings}. */
    @Bean
    RouterFunction<ServerResponse> trainingApi(TrainingManager manager, TrainingProperties properties) {
        TrainingRoutes t = new TrainingRoutes(manager, properties);
        return RouterFunctions.route()
                .POST("/v1/trainings", t::start)
                .GET("/v1/trainings", t::list)
                .GET("/v1/trainings/{id}", t::get)
                .DELETE("/v1/trainings/{id}", t::cancel)
                .GET("/v1/trainings/{id}/events", t::events)
                .GET("/v1/trainings/{id}/weights.npz", t::weights)
                .build();
    }
}
