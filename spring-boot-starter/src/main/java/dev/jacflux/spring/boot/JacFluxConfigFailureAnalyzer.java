package dev.jacflux.spring.boot;

import dev.jacflux.config.ConfigException;
import java.util.Locale;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an invalid {@code jacflux.*} value found at start-up into Boot's failure report: what is
 * wrong (the config module's message naming the key, the value and the allowed range) and where
 * to fix it.
 *
 * <pre>{@code
 * APPLICATION FAILED TO START
 * Description: Invalid JacFlux configuration: jacflux.parallelism must be between 1 and 256, got 0
 * Action: Set jacflux.parallelism to a valid value (application properties or YAML, the environment
 *         variable JACFLUX_PARALLELISM, or --jacflux.parallelism=...).
 * }</pre>
 */
public final class JacFluxConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
        String key = cause.key();
        String action = key == null
                ? "Fix the JacFlux configuration (application properties or YAML, or JACFLUX_* environment variables)."
                : "Set " + key + " to a valid value (application properties or YAML, the environment variable "
                        + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ", or --" + key + "=...).";
        return new FailureAnalysis("Invalid JacFlux configuration: " + cause.getMessage(), action, cause);
    }
}
