package dev.jacflux.pipeline;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch entering the pipeline: an id that every output names, the input {@code [N, *in]},
 * optional targets (rows aligned with the input; class indices or regression targets) and free
 * attributes a service or message broker may carry through (e.g. a correlation id).
 *
 * <pre>{@code
 * Batch b = Batch.of("step-42", images, labels);
 * }</pre>
 *
 * @param id identifies the batch in results, failures and logs
 * @param input the samples, batch axis first
 * @param targets per-sample targets, or {@code null}
 * @param attributes opaque key/values carried to the result
 */
public record Batch(String id, INDArray input, INDArray targets, Map<String, String> attributes) {
    public Batch {
        Objects.requireNonNull(id, "batch id");
        Objects.requireNonNull(input, "batch input");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A batch without targets. */
    public static Batch of(String id, INDArray input) {
        return new Batch(id, input, null, Map.of());
    }

    /** A batch with targets. */
    public static Batch of(String id, INDArray input, INDArray targets) {
        return new Batch(id, input, targets, Map.of());
    }

    /** Number of samples (size of the first axis; 0 for an empty or rank-0 input). */
    public int samples() {
        return input.rank() == 0 ? 0 : (int) input.size(0);
    }
}
