package dev.jacflux.service.dashboard;

import dev.jacflux.service.security.PublicPaths;
import dev.jacflux.service.trainings.TrainingFeed;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The dashboard's beans: the pipelines' aggregates (a {@code PipelineListener}), the saliency map
 * (a {@code JobResultListener}), the trainings board (fed by the service's {@code TrainingFeed}),
 * the stream of live figures, the routes and the open paths.
 *
 * <p>{@code jacflux.dashboard.public}: the page and its assets are always open (they hold no
 * figures); the event stream is open too when the dashboard is public, which it is by default
 * while the service listens on loopback only, and needs the token otherwise.
 *
 * <pre>{@code
 * bin/jacflux serve                                          # open http://127.0.0.1:8080/
 * bin/jacflux serve --jacflux.dashboard.public=false          # the page asks for the token once per browser session
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
public class DashboardConfiguration {

    /** Whether the stream is open without the token. */
    static boolean open(DashboardProperties properties, Environment environment) {
        return properties.isPublic(environment.getProperty("server.address"));
    }

    /** Totals and stage durations of every pipeline of the service. */
    @Bean
    PipelineAggregates dashboardAggregates() {
        return new PipelineAggregates();
    }

    /** The saliency map of the latest batch-Jacobian request on an image model. */
    @Bean
    SaliencyAggregator dashboardSaliency() {
        return new SaliencyAggregator(System::currentTimeMillis);
    }

    /** The trainings shown. */
    @Bean
    TrainingBoard dashboardTrainings() {
        return new TrainingBoard();
    }

    /** The live figures. */
    @Bean
    DashboardStream dashboardStream(DashboardProperties properties, Environment environment, PipelineAggregates aggregates,
            SaliencyAggregator saliency, TrainingBoard trainings) {
        return new DashboardStream(properties, aggregates, saliency, trainings, System::currentTimeMillis, !open(properties, environment));
    }

    /** Gauges of the training figures the training's own meters lack (clipped fraction, target epsilon, ...). */
    @Bean
    TrainingGauges dashboardTrainingGauges(MeterRegistry registry) {
        return new TrainingGauges(registry);
    }

    /** Ticks and training updates start and stop with the application. */
    @Bean
    DashboardLifecycle dashboardLifecycle(DashboardStream stream, TrainingBoard trainings, TrainingGauges gauges,
            ObjectProvider<TrainingFeed> feed) {
        return new DashboardLifecycle(stream, trainings, gauges, feed.getIfAvailable());
    }

    /** {@code /}, {@code /dashboard}, its assets and {@code /v1/dashboard/events}. */
    @Bean
    RouterFunction<ServerResponse> dashboardApi(DashboardStream stream, DashboardProperties properties, Environment environment) {
        return new DashboardRoutes(stream, !open(properties, environment)).routes();
    }

    /** The page and its assets, and the event stream when the dashboard is public. */
    @Bean
    PublicPaths dashboardPublicPaths(DashboardProperties properties, Environment environment) {
        List<String> paths = new ArrayList<>(DashboardRoutes.ALWAYS_OPEN);
        if (open(properties, environment)) {
            paths.add(DashboardRoutes.EVENTS);
        }
        return () -> List.copyOf(paths);
    }
}
