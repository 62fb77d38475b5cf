package dev.jacflux.service.it.dashboard;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The Debian programs the dashboard tests run: a missing one skips the test class, saying which and
 * how to install it (printed in the build output and in the failsafe report), unless
 * {@code -Djacflux.dashboard.it.require-tools=true} (the {@code dashboards} profile, which
 * {@code .ci/run} uses): then it fails.
 */
final class DashboardTools {
    static final Path CHROMIUM = Path.of(System.getProperty("jacflux.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("jacflux.chromedriver", "/usr/bin/chromedriver"));
    static final Path PROMETHEUS = Path.of(System.getProperty("jacflux.prometheus", "/usr/bin/prometheus"));
    static final Path PROMTOOL = Path.of(System.getProperty("jacflux.promtool", "/usr/bin/promtool"));

    private DashboardTools() {
    }

    /** Whether missing programs fail the tests instead of skipping them. */
    static boolean required() {
        return Boolean.getBoolean("jacflux.dashboard.it.require-tools");
    }

    /** Skips (or, when required, fails) {@code test} unless every program exists and is executable. */
    static void need(String test, String install, Path... programs) {
        List<String> missing = new ArrayList<>();
        for (Path p : programs) {
            if (!Files.isExecutable(p)) {
                missing.add(p.toString());
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String why = test + ": " + String.join(" and ", missing) + " not found; " + install + " (.ci/run does)";
        if (required()) {
            fail(why + "; jacflux.dashboard.it.require-tools=true, so this is a failure, not a skip");
        }
        System.err.println("[dashboard-it] SKIPPED " + why);
        Assumptions.abort(why);
    }

    /** Where the tests write screenshots and reports: failsafe's {@code target/}. */
    static Path target() {
        return Path.of(System.getProperty("jacflux.dashboard.it.out", "target"));
    }
}
