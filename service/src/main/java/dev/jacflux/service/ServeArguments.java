package dev.jacflux.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code jacflux serve} (and of {@code java -jar} on the service jar): the
 * short options are translated to Spring properties, Spring's own {@code --key=value} arguments
 * pass through unchanged.
 *
 * <pre>{@code
 * ServeArguments.toSpring(new String[] {"--port", "0", "--data-dir", "/tmp/d"});
 * // ["--server.port=0", "--jacflux.data-dir=/tmp/d"]
 * }</pre>
 */
public final class ServeArguments {
    /** The usage text. */
    public static final String USAGE = String.join(System.lineSeparator(),
            "Usage: jacflux serve [--port N] [--host H] [--data-dir DIR] [--<spring.property>=<value> ...]",
            "  --port N        port to listen on (default 8080; 0 picks a free one)",
            "  --host H        address to bind (default 127.0.0.1; 0.0.0.0 for every interface)",
            "  --data-dir DIR  models and the generated token (default ~/.jacflux)",
            "Prints 'listening on http://HOST:PORT' on stderr once it accepts requests.",
            "The token: JACFLUX_TOKEN, or jacflux.security.token, or generated into DIR/token.");

    private ServeArguments() {
    }

    /**
     * Spring arguments for {@code args}; null if help was asked for.
     *
     * @throws IllegalArgumentException naming an option without its value or an unknown option
     */
    public static String[] toSpring(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String property = switch (name) {
                case "--port" -> "server.port";
                case "--host" -> "server.address";
                case "--data-dir" -> "jacflux.data-dir";
                default -> null;
            };
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (property == null) {
                if (!a.startsWith("--") || !a.contains("=")) {
                    throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
                out.add(a);
                continue;
            }
            String value;
            if (a.contains("=")) {
                value = a.substring(a.indexOf('=') + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (name.equals("--port")) {
                try {
                    int port = Integer.parseInt(value);
                    if (port < 0 || port > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--port '" + value + "' is not a port number (0 to 65535)");
                }
            }
            out.add("--" + property + "=" + value);
        }
        return out.toArray(String[]::new);
    }
}
