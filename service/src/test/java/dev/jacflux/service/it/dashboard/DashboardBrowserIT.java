package dev.jacflux.service.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;

/**
 * The live page in a real browser (Debian's headless Chromium through Selenium), against the
 * packaged service running a private training and Jacobian requests: the figures read from the
 * {@code data-metric} elements grow over time, the gradient-norm histogram has bars and its clipping
 * bound, the saliency heatmap is drawn, every chart axis has a title, nothing overflows at 1280x800
 * nor at phone width, dark mode follows the system, and the console has no error. Screenshots go to
 * {@code target/dashboard-*.png}; the values seen to {@code target/dashboard-browser.txt}.
 */
class DashboardBrowserIT {
    @TempDir
    static Path data;
    @TempDir
    static Path work;

    @BeforeEach
    void tools() {
        DashboardTools.need("DashboardBrowserIT", "apt-get install -y chromium chromium-driver", DashboardTools.CHROMIUM,
                DashboardTools.CHROMEDRIVER);
    }

    @Test
    void figuresMoveAndThePageReadsWellWideNarrowLightAndDark() throws Exception {
        try (LiveService service = LiveService.start(data);
                Browser b = new Browser()) {
            String model = service.uploadImageModel();
            String training = service.startPrivateTraining(work, 4000, 4.0);
            LiveService.Load load = service.load(model, LiveService.imageInputs(64, 5), 5000);

            b.viewport(1280, 800, 1, false);
            b.driver.get(service.base.resolve("/").toString());
            b.waitFor(d -> "live".equals(d.findElement(By.id("status")).getAttribute("data-state")), "the stream is live");
            b.waitFor(d -> b.metric("jacflux.samples", "outcome", "success") > 0, "samples counted");
            b.waitFor(d -> b.metric("training.step", "training", training) > 0, "the training's first step shown");
            b.waitFor(d -> !d.findElements(By.cssSelector("article.training [data-role=histogram] rect.bar")).isEmpty(),
                    "the gradient-norm histogram drawn");
            b.waitFor(d -> b.metric("saliency.samples") > 0, "the saliency map of a Jacobian request shown");
            b.waitFor(d -> b.metric("jacflux.samples.per_second") > 0, "a throughput above zero");

            double samples0 = b.metric("jacflux.samples", "outcome", "success");
            double entries0 = b.metric("jacflux.jacobian.entries");
            double step0 = b.metric("training.step", "training", training);
            double epsilon0 = b.metric("training.epsilon", "training", training);
            b.waitFor(d -> b.metric("jacflux.samples", "outcome", "success") > samples0 && b.metric("training.step", "training", training) > step0
                    && b.metric("jacflux.jacobian.entries") > entries0, "samples, entries and the step grow");
            double samples1 = b.metric("jacflux.samples", "outcome", "success");
            double entries1 = b.metric("jacflux.jacobian.entries");
            double step1 = b.metric("training.step", "training", training);
            double epsilon1 = b.metric("training.epsilon", "training", training);
            double rate = b.metric("jacflux.samples.per_second");
            assertThat(samples1).isGreaterThan(samples0);
            assertThat(step1).isGreaterThan(step0);
            assertThat(epsilon1).isGreaterThanOrEqualTo(epsilon0).isLessThanOrEqualTo(4.0);
            assertThat(b.element("training.target_epsilon", "training", training).getText()).isEqualTo("4");
            assertThat(load.errors).isEmpty();

            // the histogram: bars, and the clipping bound drawn at C = 1 (read in one script: the chart is redrawn every second)
            @SuppressWarnings("unchecked")
            Map<String, Object> histogram = (Map<String, Object>) b.js("const card = document.querySelector(`article.training[data-training=\"${arguments[0]}\"]`);"
                    + " const bars = [...card.querySelectorAll('[data-role=histogram] rect.bar')];"
                    + " return {bars: bars.length, counted: bars.reduce((a, r) => a + Number(r.dataset.count), 0),"
                    + " shown: card.querySelector('[data-metric=\"training.grad_norm_histogram\"]').textContent,"
                    + " bound: card.querySelector('[data-role=histogram] .bound-label').textContent,"
                    + " boundLines: card.querySelectorAll('[data-role=histogram] line.bound').length}", training);
            long barCount = ((Number) histogram.get("bars")).longValue();
            long counted = ((Number) histogram.get("counted")).longValue();
            assertThat(barCount).isPositive();
            assertThat(histogram.get("bound")).isEqualTo("clip C = 1");
            assertThat(((Number) histogram.get("boundLines")).intValue()).isEqualTo(1);
            assertThat((double) counted).isEqualTo(Browser.number((String) histogram.get("shown"))).isPositive();
            // the stage durations and the saliency map
            for (String stage : List.of("forward", "vjp-chunk", "assembly")) {
                assertThat(b.metric("jacflux.stage.duration", "stage", stage, "stat", "p50")).as(stage).isPositive();
            }
            assertThat(b.driver.findElements(By.cssSelector("#chart-saliency svg image"))).hasSize(1);
            assertThat(b.driver.findElements(By.cssSelector("#chart-samples path.series"))).hasSize(1);
            // units: every chart has an x and a y axis title
            List<String> untitled = (List<String>) b.js("return [...document.querySelectorAll('.chart > svg')]"
                    + ".filter(s => [...s.querySelectorAll('.axis-title')].filter(t => t.textContent.trim()).length < 2)"
                    + ".map(s => s.getAttribute('aria-label'))");
            assertThat(untitled).as("charts without both axis titles").isEmpty();
            assertNoHorizontalOverflow(b, "1280x800");

            // -Djacflux.dashboard.it.settle-steps=N: let the charts fill (the training reach step N) before the screenshots
            long settle = Long.getLong("jacflux.dashboard.it.settle-steps", 0);
            if (settle > 0) {
                new org.openqa.selenium.support.ui.WebDriverWait(b.driver, java.time.Duration.ofMinutes(15))
                        .until(d -> b.metric("training.step", "training", training) >= settle);
            }
            b.screenshot("dashboard-1280x800.png");
            b.fullPage("dashboard-full.png", 1280, 1, false, 800);

            b.colorScheme("dark");
            b.waitFor(d -> luminance(b, "body") < 0.2, "the dark theme applied");
            b.screenshot("dashboard-dark.png");
            b.colorScheme("light");
            b.waitFor(d -> luminance(b, "body") > 0.8, "the light theme back");

            b.viewport(390, 844, 2, true);
            b.waitFor(d -> b.chartsFit(), "charts redrawn at phone width");
            assertNoHorizontalOverflow(b, "390x844");
            assertThat(b.metric("jacflux.samples", "outcome", "success")).isGreaterThanOrEqualTo(samples1);
            b.screenshot("dashboard-phone.png");
            b.fullPage("dashboard-phone-full.png", 390, 2, true, 844);

            List<LogEntry> console = b.console();
            String report = String.format(Locale.ROOT, "jacflux.samples %.0f -> %.0f; jacflux.jacobian.entries %.0f -> %.0f; training.step %.0f -> %.0f;"
                    + " training.epsilon %s -> %s (target 4); samples/s now %s; histogram bars %d (%d samples); Jacobian requests %d; console"
                    + " messages %d%n", samples0, samples1, entries0, entries1, step0, step1, epsilon0, epsilon1, rate, barCount, counted,
                    load.done.get(), console.size());
            System.out.print("[dashboard-it] " + report);
            Files.writeString(DashboardTools.target().resolve("dashboard-browser.txt"), report, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            assertThat(console.stream().filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                    .map(LogEntry::toString).toList()).as("console warnings and errors").isEmpty();
            service.cancel(training);
        }
    }

    static void assertNoHorizontalOverflow(Browser b, String size) {
        Object overflow = b.js("const e = document.documentElement; return e.scrollWidth - e.clientWidth");
        Object culprits = b.js("const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]"
                + ".filter(e => e.getBoundingClientRect().right > w + 0.5).slice(-5)"
                + ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + 'px: '"
                + " + (e.textContent || '').trim().slice(0, 40))");
        assertThat(((Number) overflow).intValue()).as("horizontal overflow at " + size + " (px); sticking out: " + culprits).isLessThanOrEqualTo(0);
    }

    /** Relative luminance (0 black .. 1 white) of an element's computed background. */
    static double luminance(Browser b, String css) {
        String rgb = (String) b.js("return getComputedStyle(document.querySelector(arguments[0])).backgroundColor", css);
        String[] p = rgb.replaceAll("[^0-9,]", "").split(",");
        return (0.2126 * Integer.parseInt(p[0]) + 0.7152 * Integer.parseInt(p[1]) + 0.0722 * Integer.parseInt(p[2])) / 255;
    }
}
