package dev.jacflux.service;

import dev.jacflux.config.ByteSize;
import dev.jacflux.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service's own {@code jacflux.*} properties (the pipeline's are in the starter's
 * {@code JacFluxProperties}): where models live, how requests are cut into batches, the limits and
 * the security settings. Invalid values fail start-up naming the key.
 *
 * <pre>{@code
 * jacflux:
 *   data-dir: /var/lib/jacflux
 *   batch-size: 256
 *   limits:
 *     max-request-size: 256MiB
 *     max-result-size: 4GiB
 *     max-concurrent-jobs: 2
 * }</pre>
 *
 * @param dataDir   Directory of the models ("models/<id>/model.json" and "weights.npz") and of the generated
 *                  token; default ~/.jacflux.
 * @param batchSize Samples per batch: a request with more samples is cut into batches of this size that flow
 *                  through the pipeline and are streamed back in order.
 * @param limits    Request, result and concurrency limits.
 * @param security  Token and open paths.
 */
@ConfigurationProperties(prefix = "jacflux")
public record ServiceProperties(Path dataDir, @DefaultValue("256") int batchSize, @DefaultValue Limits limits,
        @DefaultValue Security security) {

    /** Validates the values. */
    public ServiceProperties {
        if (dataDir == null) {
            dataDir = Path.of(System.getProperty("user.home"), ".jacflux");
        }
        if (batchSize < 1) {
            throw new ConfigException("jacflux.batch-size", "jacflux.batch-size must be at least 1, got " + batchSize);
        }
    }

    /**
     * Limits of one request.
     *
     * @param maxRequestSize    Largest request body, checked while it is read (413 beyond); e.g. 256MiB.
     * @param maxResultSize     Largest result a request may ask for, checked before computing (422 beyond).
     * @param maxConcurrentJobs Jacobian and gradient requests computed at once; more are refused with 429.
     * @param retryAfter        Seconds a refused client is told to wait (the Retry-After header of a 429).
     */
    public record Limits(@DefaultValue("256MiB") ByteSize maxRequestSize, @DefaultValue("4GiB") ByteSize maxResultSize,
            @DefaultValue("2") int maxConcurrentJobs, @DefaultValue("1") int retryAfter) {
        /** Validates the values. */
        public Limits {
            if (maxRequestSize.bytes() < 1) {
                throw new ConfigException("jacflux.limits.max-request-size", "jacflux.limits.max-request-size must be at least 1 byte");
            }
            if (maxResultSize.bytes() < 1) {
                throw new ConfigException("jacflux.limits.max-result-size", "jacflux.limits.max-result-size must be at least 1 byte");
            }
            if (maxConcurrentJobs < 1) {
                throw new ConfigException("jacflux.limits.max-concurrent-jobs", "jacflux.limits.max-concurrent-jobs must be at least 1, got "
                        + maxConcurrentJobs);
            }
            if (retryAfter < 0) {
                throw new ConfigException("jacflux.limits.retry-after", "jacflux.limits.retry-after must be 0 or more seconds, got "
                        + retryAfter);
            }
        }
    }

    /**
     * Security settings.
     *
     * @param token       The bearer token every /v1/** request must send; the environment variable JACFLUX_TOKEN
     *                    takes precedence; if neither is set, one is generated into the data directory's "token" file.
     * @param publicPaths Paths open without a token (Ant-style patterns); other features add their own.
     */
    public record Security(String token,
            @DefaultValue({"/actuator/health", "/actuator/health/**", "/actuator/prometheus"}) List<String> publicPaths) {
    }
}
