package dev.jacflux.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the token comes from, the generated file, and what is printed (never the token). */
class ServiceTokenTest {
    @TempDir
    Path data;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void theEnvironmentWinsOverThePropertyWhichWinsOverTheFile() {
        ServiceToken env = ServiceToken.resolve("from-env", "from-property", data, out);
        assertTrue(env.matches("from-env"));
        assertFalse(env.matches("from-property"));
        ServiceToken prop = ServiceToken.resolve(" ", "from-property", data, out);
        assertTrue(prop.matches("from-property"));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("JACFLUX_TOKEN").contains("jacflux.security.token")
                .doesNotContain("from-env").doesNotContain("from-property");
        assertTrue(Files.notExists(data.resolve("token")));
    }

    @Test
    void withoutEitherATokenIsGeneratedReadableByItsOwnerOnlyAndReused() throws Exception {
        ServiceToken generated = ServiceToken.resolve(null, null, data.resolve("new-dir"), out);
        Path file = data.resolve("new-dir/token");
        String token = Files.readString(file).trim();
        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertTrue(generated.matches(token));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("generated one into " + file).doesNotContain(token);
        ServiceToken again = ServiceToken.resolve(null, null, data.resolve("new-dir"), out);
        assertTrue(again.matches(token), "a restart keeps the token");
        assertFalse(again.matches(token + "x"));
        assertFalse(again.matches(null));
    }
}
