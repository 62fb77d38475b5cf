package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.Tensor;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A function evaluated on a slice of a batch, whose every output row belongs to one sample: a
 * per-sample loss ({@code [n]}) or per-sample outputs ({@code [n, *out]}). The per-sample
 * transforms call it on slices of the batch (chunks of samples), passing the matching rows of
 * the targets, and differentiate with respect to {@code params}.
 *
 * <pre>{@code
 * PerSampleFunction loss = (x, targets, p) ->
 *         CrossEntropy.apply(x.matmul(p.get(0).transpose()).add(p.get(1)), targets);   // [n]
 * }</pre>
 */
@FunctionalInterface
public interface PerSampleFunction {

    /**
     * @param input the slice {@code [n, *in]} of the batch (a watched tensor)
     * @param targets the same rows of the targets, or {@code null} if there are none
     * @param params the parameters (watched tensors, in the order given to the transform)
     * @return per-sample outputs {@code [n, ...]}
     */
    Tensor apply(Tensor input, INDArray targets, List<Tensor> params);
}
