package dev.jacflux.metrics;

import io.micrometer.core.instrument.Meter;
import java.util.List;

/**
 * A constant of a meter catalogue: its {@link MeterSpec}, with the spec's parts at hand.
 *
 * <pre>{@code
 * DescribedMeter m = JacFluxMeter.STAGE_DURATION;
 * m.meterName();   // "jacflux.stage.duration"
 * m.type();        // Meter.Type.TIMER
 * m.tagKeys();     // [job, stage]
 * }</pre>
 */
public interface DescribedMeter {
    /** What the meter is. */
    MeterSpec spec();

    /** The dot-separated Micrometer name, e.g. {@code jacflux.stage.duration}. */
    default String meterName() {
        return spec().meterName();
    }

    /** The Micrometer meter type. */
    default Meter.Type type() {
        return spec().type();
    }

    /** The base unit; empty for none (see {@link MeterSpec#baseUnit()}). */
    default String baseUnit() {
        return spec().baseUnit();
    }

    /** A one-line description, published as the meter's help text. */
    default String description() {
        return spec().description();
    }

    /** The tag keys every meter of this name carries (besides any common tags). */
    default List<String> tagKeys() {
        return spec().tagKeys();
    }
}
