package dev.jacflux.service.dashboard;

import dev.jacflux.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;

/**
 * The dashboard's {@code jacflux.dashboard.*} properties.
 *
 * <pre>{@code
 * jacflux:
 *   dashboard:
 *     public: false      # the event stream needs the token; unset: open when the service listens on loopback only
 *     interval: 1s       # one point per second
 *     history: 5m        # the charts show the last five minutes
 * }</pre>
 *
 * @param open     {@code jacflux.dashboard.public}: whether the live figures are open without the token. Unset: open when the
 *                 service is bound to a loopback address (the default 127.0.0.1), behind the token otherwise.
 * @param interval Time between two points of the live charts (and two events of the stream).
 * @param history  How far back the live charts go; the service keeps this many points in memory.
 */
@ConfigurationProperties(prefix = "jacflux.dashboard")
public record DashboardProperties(@Name("public") Boolean open, @DefaultValue("1s") Duration interval, @DefaultValue("5m") Duration history) {
    /** Most points kept. */
    public static final int MAX_POINTS = 3600;

    /** Validates the values. */
    public DashboardProperties {
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("jacflux.dashboard.interval", "jacflux.dashboard.interval must be at least 100ms, got " + interval);
        }
        if (history.compareTo(interval) < 0 || history.toMillis() / interval.toMillis() > MAX_POINTS) {
            throw new ConfigException("jacflux.dashboard.history", "jacflux.dashboard.history must be between one interval (" + interval
                    + ") and " + MAX_POINTS + " intervals, got " + history);
        }
    }

    /** Points of history: {@code history / interval}. */
    public int points() {
        return (int) (history.toMillis() / interval.toMillis());
    }

    /**
     * Whether the live figures are open without the token, for a service bound to {@code serverAddress}
     * ({@code server.address}; null or blank binds every interface).
     */
    public boolean isPublic(String serverAddress) {
        if (open != null) {
            return open;
        }
        if (serverAddress == null || serverAddress.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(serverAddress.trim()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
