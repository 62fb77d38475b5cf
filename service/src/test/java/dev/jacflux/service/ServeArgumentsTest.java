package dev.jacflux.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@code jacflux serve [--port N] [--host H] [--data-dir DIR]} as Spring arguments. */
class ServeArgumentsTest {
    @Test
    void shortOptionsBecomeSpringPropertiesAndOthersPassThrough() {
        assertArrayEquals(new String[] {"--server.port=0", "--server.address=0.0.0.0", "--jacflux.data-dir=/tmp/d", "--jacflux.batch-size=64"},
                ServeArguments.toSpring(new String[] {"--port", "0", "--host=0.0.0.0", "--data-dir", "/tmp/d", "--jacflux.batch-size=64"}));
        assertNull(ServeArguments.toSpring(new String[] {"--help"}));
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("--port needs a value", assertThrows(IllegalArgumentException.class,
                () -> ServeArguments.toSpring(new String[] {"--port"})).getMessage());
        assertEquals("--port 'http' is not a port number (0 to 65535)", assertThrows(IllegalArgumentException.class,
                () -> ServeArguments.toSpring(new String[] {"--port", "http"})).getMessage());
        assertEquals("unknown argument 'serve'", assertThrows(IllegalArgumentException.class,
                () -> ServeArguments.toSpring(new String[] {"serve"})).getMessage());
    }

    @Test
    void theAnnouncedHostIsTheBoundAddress() {
        assertEquals("127.0.0.1", ListeningAnnouncer.host("127.0.0.1"));
        assertEquals("0.0.0.0", ListeningAnnouncer.host(null));
        assertEquals("[0:0:0:0:0:0:0:1]", ListeningAnnouncer.host("::1"));
    }
}
