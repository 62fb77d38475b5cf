package dev.jacflux.service;

import java.net.InetAddress;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Prints {@code listening on http://HOST:PORT} on stderr once the service accepts requests (the
 * application is ready), so that scripts and tests started with {@code --port 0} learn the port.
 *
 * <pre>{@code
 * $ bin/jacflux serve --port 0
 * listening on http://127.0.0.1:41873
 * }</pre>
 */
@Component
public class ListeningAnnouncer implements ApplicationListener<ApplicationReadyEvent> {
    private final Environment environment;

    /** An announcer reading {@code server.address}. */
    public ListeningAnnouncer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null) {
            System.err.println("listening on http://" + host(environment.getProperty("server.address")) + ":" + web.getWebServer().getPort());
            System.err.flush();
        }
    }

    static String host(String address) {
        if (address == null || address.isBlank()) {
            return "0.0.0.0";
        }
        try {
            String h = InetAddress.getByName(address).getHostAddress();
            return h.contains(":") ? "[" + h + "]" : h;
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }
}
