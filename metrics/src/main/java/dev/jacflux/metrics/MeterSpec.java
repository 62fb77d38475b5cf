package dev.jacflux.metrics;

import io.micrometer.core.instrument.Meter;
import java.util.List;

/**
 * What a published meter is: its Micrometer name (dot-separated; registries render it in their own
 * convention), type, base unit, description and tag keys. The meter catalogues ({@link JacFluxMeter},
 * the Kafka worker's {@code WorkerMeter}) hold one per constant and expose it through
 * {@link DescribedMeter}.
 *
 * <pre>{@code
 * MeterSpec s = new MeterSpec("jacflux.batches", Meter.Type.COUNTER, "batches", "Batches finished, by outcome",
 *         List.of("job", "outcome"));
 * }</pre>
 *
 * @param meterName   the dot-separated Micrometer name, e.g. {@code jacflux.stage.duration}
 * @param type        the Micrometer meter type
 * @param baseUnit    the base unit, e.g. {@code seconds}, {@code bytes}; empty for none. For timers this is
 *                    documentation only: Micrometer timers take their unit from the registry (seconds for
 *                    Prometheus)
 * @param description a one-line description, published as the meter's help text
 * @param tagKeys     the tag keys every meter of this name carries (besides any common tags)
 */
public record MeterSpec(String meterName, Meter.Type type, String baseUnit, String description, List<String> tagKeys) {
    /** Copies the tag keys. */
    public MeterSpec {
        tagKeys = List.copyOf(tagKeys);
    }
}
