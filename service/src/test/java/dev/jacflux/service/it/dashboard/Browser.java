package dev.jacflux.service.it.dashboard;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium through its chromedriver (no Selenium Manager: nothing is downloaded),
 * with the console captured, an exact viewport (DevTools device metrics), the colour scheme
 * emulated, and screenshots of the viewport or the whole page.
 */
final class Browser implements AutoCloseable {
    final ChromeDriver driver;
    private final Path profile;

    Browser() throws IOException {
        // the DevTools commands used here go through chromedriver; Selenium's own DevTools bindings are not needed
        java.util.logging.Logger.getLogger("org.openqa.selenium.devtools").setLevel(Level.SEVERE);
        profile = Files.createTempDirectory("jacflux-chromium-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(DashboardTools.CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile, "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--window-size=1280,800", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DashboardTools.CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
    }

    /** An exact viewport of {@code width x height} CSS pixels. */
    void viewport(int width, int height, double scale, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", scale, "mobile", mobile));
    }

    /** Emulates {@code prefers-color-scheme: dark} (or light). */
    void colorScheme(String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /** A PNG of the viewport. */
    Path screenshot(String name) throws IOException {
        Map<String, Object> r = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png"));
        Path out = DashboardTools.target().resolve(name);
        Files.write(out, Base64.getDecoder().decode((String) r.get("data")));
        return out;
    }

    /** A PNG of the whole page at {@code width} CSS pixels. */
    Path fullPage(String name, int width, double scale, boolean mobile, int restoreHeight) throws IOException {
        long height = ((Number) js("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
        viewport(width, (int) height, scale, mobile);
        waitFor(d -> chartsFit(), "charts redrawn at the full-page size");
        Path p = screenshot(name);
        viewport(width, restoreHeight, scale, mobile);
        return p;
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Waits (at most 90 s) until {@code condition} holds. */
    <T> T waitFor(Function<WebDriver, T> condition, String what) {
        return new WebDriverWait(driver, Duration.ofSeconds(90)).withMessage(what).until(condition);
    }

    /** Whether every chart's drawing fits its container (charts are redrawn after a resize). */
    boolean chartsFit() {
        return Boolean.TRUE.equals(js("return [...document.querySelectorAll('.chart > svg')].every(s => "
                + "s.getAttribute('width') <= Math.max(220, s.parentElement.clientWidth))"));
    }

    /** The first element with {@code data-metric=name} (and the extra attributes), its text as a number. */
    double metric(String name, String... attributes) {
        return number(element(name, attributes).getText());
    }

    WebElement element(String name, String... attributes) {
        StringBuilder css = new StringBuilder("[data-metric=\"" + name + "\"]");
        for (int i = 0; i + 1 < attributes.length; i += 2) {
            css.append("[data-").append(attributes[i]).append("=\"").append(attributes[i + 1]).append("\"]");
        }
        return driver.findElement(By.cssSelector(css.toString()));
    }

    /** A figure's text as a number: "1,234" is 1234; "41.2 %" is 41.2; NaN for text without a number ("–"). */
    static double number(String text) {
        String t = text.replace(",", "").replace("%", "").trim();
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The console messages so far (each read once). */
    List<LogEntry> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
