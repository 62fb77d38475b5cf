package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jacflux.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pipeline method's configuration from the environment bin/jacflux passes on. */
class BenchCommandTest {
    @Test
    void theLaunchersOwnVariablesAreNotPipelineConfiguration() {
        Map<String, String> env = Map.of("JACFLUX_NO_BUILD", "1", "JACFLUX_DEBUG", "1", "JACFLUX_PARALLELISM", "3");
        assertEquals(3, BenchCommand.pipelineConfig(null, env).parallelism());
        assertEquals(4L << 30, BenchCommand.pipelineConfig(null, env).memoryBudget().bytes());
        assertThrows(ConfigException.class, () -> BenchCommand.pipelineConfig(null, Map.of("JACFLUX_PARALELISM", "3")),
                "a misspelt configuration variable is still refused");
    }
}
