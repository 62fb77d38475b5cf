package dev.jacflux.service.trainings;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The beans of private training in the service: the live feed of the trainings' figures
 * ({@link TrainingFeed}, for the dashboard).
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
}
