package dev.jacflux.service.kafka;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when any {@code jacflux.kafka.*} property is set (in application properties or YAML,
 * {@code JACFLUX_KAFKA_*} environment variables or {@code --jacflux.kafka.*=...} arguments): the
 * in-service Kafka worker exists only then. Without such a property the worker's configuration
 * class is skipped while the classpath is scanned, so none of its classes (nor Kafka's) are loaded.
 *
 * <pre>{@code
 * @Configuration(proxyBeanMethods = false)
 * @Conditional(KafkaConfigured.class)
 * class KafkaWorkerConfiguration { ... }
 * }</pre>
 */
public final class KafkaConfigured extends SpringBootCondition {
    /** The property prefix. */
    public static final String PREFIX = "jacflux.kafka";

    private static final ConfigurationPropertyName NAME = ConfigurationPropertyName.of(PREFIX);

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return isConfigured(context.getEnvironment())
                ? ConditionOutcome.match("a " + PREFIX + ".* property is set")
                : ConditionOutcome.noMatch("no " + PREFIX + ".* property is set");
    }

    /** Whether {@code environment} holds any property below {@code jacflux.kafka}. */
    public static boolean isConfigured(Environment environment) {
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable && iterable.stream().anyMatch(NAME::isAncestorOf)) {
                return true;
            }
        }
        return false;
    }
}
