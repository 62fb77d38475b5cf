package dev.jacflux.service.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;

/**
 * {@code jacflux.dashboard.public=false} in a real browser: the page shows no figure but asks for
 * the token; once given, the figures stream (the token goes in the Authorization header of a
 * fetch-based event stream, never in a URL) and a reload does not ask again (sessionStorage); a
 * wrong token is refused with a message. Screenshots: {@code target/dashboard-token-*.png}.
 */
class DashboardTokenBrowserIT {
    @TempDir
    static Path data;

    @BeforeEach
    void tools() {
        DashboardTools.need("DashboardTokenBrowserIT", "apt-get install -y chromium chromium-driver", DashboardTools.CHROMIUM,
                DashboardTools.CHROMEDRIVER);
    }

    @Test
    void thePageAsksForTheTokenOnceAndKeepsItForTheSession() throws Exception {
        try (LiveService service = LiveService.start(data, "--jacflux.dashboard.public=false");
                Browser b = new Browser()) {
            String model = service.uploadImageModel();
            service.jacobian(model, dev.jacflux.model.io.Npz.toNpy(LiveService.imageInputs(8, 3)));

            b.viewport(1280, 800, 1, false);
            b.driver.get(service.base.resolve("/").toString());
            b.waitFor(d -> d.findElement(By.id("token-form")).isDisplayed(), "the token form");
            assertThat(b.driver.findElement(By.id("board")).isDisplayed()).isFalse();
            assertThat(b.driver.findElement(By.id("status")).getText()).isEqualTo("token needed");
            b.screenshot("dashboard-token-form.png");

            b.driver.findElement(By.id("token-input")).sendKeys(LiveService.TOKEN);
            b.driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            b.waitFor(d -> "live".equals(d.findElement(By.id("status")).getAttribute("data-state")), "live with the token");
            b.waitFor(d -> b.metric("jacflux.samples", "outcome", "success") >= 8, "the figures behind the token");
            assertThat(b.driver.findElement(By.id("token-form")).isDisplayed()).isFalse();

            b.driver.navigate().refresh();
            b.waitFor(d -> "live".equals(d.findElement(By.id("status")).getAttribute("data-state")), "live again after a reload");
            assertThat(b.driver.findElement(By.id("token-form")).isDisplayed()).as("not asked again in the same session").isFalse();
            assertThat(b.js("return sessionStorage.getItem('jacflux.dashboard.token')")).isEqualTo(LiveService.TOKEN);
            assertThat(b.js("return localStorage.length")).isEqualTo(0L);
            assertThat(b.driver.getCurrentUrl()).doesNotContain(LiveService.TOKEN);
            b.waitFor(d -> b.metric("jacflux.samples", "outcome", "success") >= 8, "figures after the reload");
            b.screenshot("dashboard-token-live.png");
            List<LogEntry> console = b.console();
            assertThat(console.stream().filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                    .map(LogEntry::toString).toList()).as("console warnings and errors").isEmpty();

            // a wrong token: refused, with a message, and forgotten
            b.driver.findElement(By.id("forget-token")).click();
            b.waitFor(d -> d.findElement(By.id("token-form")).isDisplayed(), "the form again");
            b.driver.findElement(By.id("token-input")).sendKeys("not-the-token");
            b.driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            b.waitFor(d -> d.findElement(By.id("token-error")).isDisplayed(), "the refusal shown");
            assertThat(b.driver.findElement(By.id("token-error")).getText()).contains("refused");
            assertThat(b.js("return sessionStorage.getItem('jacflux.dashboard.token')")).isNull();

            String log = Files.readString(service.process.log());
            assertThat(log).contains("GET /v1/dashboard/events /v1/dashboard/events 200").doesNotContain(LiveService.TOKEN);
        }
    }
}
