package dev.jacflux.metrics;

import dev.jacflux.pipeline.PipelineListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The JacFlux {@link MeterBinder}: owns one {@link MicrometerPipelineListener} and publishes its
 * {@link JacFluxMeter}s to every registry it is bound to. The pipeline gets
 * {@link #listener()}; registries can be bound before or after events start (meters created
 * earlier appear in a registry bound later; counts made before any binding are not kept).
 *
 * <p>With Spring Boot Actuator, declaring it as a bean is enough: every {@code MeterBinder} bean
 * is bound to the application's registry.
 * <pre>{@code
 * JacFluxMetrics metrics = new JacFluxMetrics(Tags.of("pipeline", "train"));
 * metrics.bindTo(prometheusRegistry);
 * PipelineListener listener = metrics.listener();   // hand this to the pipeline
 * }</pre>
 */
public final class JacFluxMetrics implements MeterBinder {

    private final CompositeMeterRegistry registries = new CompositeMeterRegistry();
    private final MicrometerPipelineListener listener;

    /** A binder with no extra tags. */
    public JacFluxMetrics() {
        this(Tags.empty());
    }

    /** A binder that adds {@code commonTags} to every JacFlux meter. */
    public JacFluxMetrics(Iterable<Tag> commonTags) {
        this.listener = new MicrometerPipelineListener(registries, commonTags);
    }

    /** Publishes the JacFlux meters to {@code registry} too; binding the same registry twice is harmless. */
    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
    }

    /** The listener whose events become the JacFlux meters of every bound registry. */
    public PipelineListener listener() {
        return listener;
    }
}
