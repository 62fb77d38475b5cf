package dev.jacflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jacflux.config.ByteSize;
import dev.jacflux.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;

/** Invalid service properties fail naming the key; so does the whole application at start. */
class ServicePropertiesTest {
    private static final ServiceProperties.Security SECURITY = new ServiceProperties.Security(null, List.of());

    @Test
    void invalidValuesNameTheirKey() {
        ServiceProperties.Limits ok = new ServiceProperties.Limits(ByteSize.parse("1MiB"), ByteSize.parse("1GiB"), 1, 1);
        assertThat(assertThrows(ConfigException.class, () -> new ServiceProperties(Path.of("d"), 0, ok, SECURITY)).key())
                .isEqualTo("jacflux.batch-size");
        assertThat(assertThrows(ConfigException.class,
                () -> new ServiceProperties.Limits(ByteSize.parse("1MiB"), ByteSize.parse("1GiB"), 0, 1)).getMessage())
                .isEqualTo("jacflux.limits.max-concurrent-jobs must be at least 1, got 0");
        assertThat(new ServiceProperties(null, 5, ok, SECURITY).dataDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".jacflux"));
    }

    @Test
    void aBadValueStopsTheStartNamingTheKey() {
        SpringApplication app = new SpringApplication(JacFluxServiceApplication.class);
        Throwable e = assertThrows(Throwable.class, () -> app.run("--server.port=0", "--jacflux.limits.max-result-size=lots",
                "--jacflux.security.token=t",
                "--jacflux.data-dir=" + System.getProperty("java.io.tmpdir")));
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
        }
        assertThat(chain.toString()).contains("jacflux.limits.max-result-size").contains("lots");
    }
}
