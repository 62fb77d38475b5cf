package dev.jacflux.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jacflux.spring.boot.testapp.StarterTestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Starting the test application with a bad value fails with Boot's report naming the key. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

    private static void start(String... args) {
        SpringApplication app = new SpringApplication(StarterTestApplication.class);
        app.setWebApplicationType(org.springframework.boot.WebApplicationType.NONE);
        assertThrows(RuntimeException.class, () -> app.run(args)).getMessage();
    }

    @Test
    void anOutOfRangeValueIsReportedWithItsKeyRangeAndWhereToFixIt(CapturedOutput output) {
        start("--jacflux.parallelism=0");
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid JacFlux configuration: jacflux.parallelism must be between 1 and 256, got 0")
                .contains("Set jacflux.parallelism to a valid value")
                .contains("JACFLUX_PARALLELISM");
    }

    @Test
    void aValueThatDoesNotParseIsReportedWithItsKey(CapturedOutput output) {
        start("--jacflux.memory-budget=12XB");
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("jacflux.memory-budget")
                .contains("12XB");
    }
}
