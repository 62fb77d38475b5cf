package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** jacflux.dashboard.public defaults to open on loopback only; intervals are checked. */
class DashboardPropertiesTest {
    private static DashboardProperties open(Boolean value) {
        return new DashboardProperties(value, Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    @Test
    void unsetMeansOpenOnLoopbackOnly() {
        assertThat(open(null).isPublic("127.0.0.1")).isTrue();
        assertThat(open(null).isPublic("::1")).isTrue();
        assertThat(open(null).isPublic("localhost")).isTrue();
        assertThat(open(null).isPublic("0.0.0.0")).isFalse();
        assertThat(open(null).isPublic("")).isFalse();
        assertThat(open(null).isPublic(null)).isFalse();
        assertThat(open(null).isPublic("10.1.2.3")).isFalse();
    }

    @Test
    void anExplicitValueWins() {
        assertThat(open(false).isPublic("127.0.0.1")).isFalse();
        assertThat(open(true).isPublic("0.0.0.0")).isTrue();
    }

    @Test
    void badIntervalsNameTheirKey() {
        assertThatThrownBy(() -> new DashboardProperties(null, Duration.ofMillis(10), Duration.ofMinutes(5)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("jacflux.dashboard.interval");
        assertThatThrownBy(() -> new DashboardProperties(null, Duration.ofSeconds(1), Duration.ofMillis(10)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("jacflux.dashboard.history");
        assertThatThrownBy(() -> new DashboardProperties(null, Duration.ofMillis(100), Duration.ofHours(1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("jacflux.dashboard.history");
        assertEquals(300, open(null).points());
    }
}
