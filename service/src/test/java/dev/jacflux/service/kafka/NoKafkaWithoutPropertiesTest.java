package dev.jacflux.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jacflux.service.support.ServiceTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/** Without {@code jacflux.kafka.*} the service has no Kafka bean, no {@code kafka} health component and no Kafka meters. */
class NoKafkaWithoutPropertiesTest extends ServiceTestBase {
    @Autowired
    private ConfigurableApplicationContext context;

    @Test
    void nothingKafkaExists() {
        List<String> kafka = new ArrayList<>();
        var factory = context.getBeanFactory();
        for (String name : factory.getBeanDefinitionNames()) {
            String className = factory.getBeanDefinition(name).getBeanClassName();
            Class<?> type = factory.getType(name, false);
            String typeName = type == null ? "" : type.getName();
            if (name.toLowerCase().contains("kafka") || String.valueOf(className).contains("kafka") || typeName.contains("kafka")) {
                kafka.add(name + " (" + (className == null ? typeName : className) + ")");
            }
        }
        assertThat(kafka).as("Kafka beans in a service without jacflux.kafka.*").isEmpty();

        @SuppressWarnings("unchecked")
        Map<String, Object> health = anonymous.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat((Map<String, Object>) health.get("components")).containsKeys("jacflux", "models").doesNotContainKey("kafka");
        String prometheus = anonymous.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(prometheus).contains("jacflux_").doesNotContain("jacflux_kafka_");
    }
}
