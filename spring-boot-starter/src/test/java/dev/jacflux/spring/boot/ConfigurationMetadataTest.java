package dev.jacflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jacflux.config.PipelineConfigLoader;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IDE metadata: every key of the config module is described, so IDEs complete {@code jacflux.*}. */
class ConfigurationMetadataTest {
    @Test
    void everyConfigModuleKeyHasMetadataWithADescription() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "the configuration processor wrote META-INF/spring-configuration-metadata.json");
            root = new ObjectMapper().readTree(in);
        }
        Map<String, JsonNode> byName = new HashMap<>();
        root.get("properties").forEach(p -> byName.put(p.get("name").asText(), p));
        for (String key : PipelineConfigLoader.knownKeys()) {
            JsonNode p = byName.get(key);
            assertNotNull(p, key + " has metadata");
            assertTrue(p.hasNonNull("description") && !p.get("description").asText().isBlank(), key + " has a description");
        }
        assertTrue(byName.get("jacflux.memory-budget").get("defaultValue").asText().equals("512MiB"));
    }
}
