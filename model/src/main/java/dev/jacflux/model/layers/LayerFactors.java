package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Tensor;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One parameter layer in one forward and backward pass over {@code n} samples: its input, its
 * recorded output, its parameters (the watched tensors of the pass) and the cotangent of its output
 * {@code g [n, *out]} with respect to {@code sum_b L_b}, i.e. {@code dL_b / d out[b]} at row {@code b}.
 *
 * <pre>{@code
 * LayerFactors f = new LayerFactors(layer, input, output, params, g, n);
 * layer.perSampleRule().writeGradients(f, rows);
 * }</pre>
 *
 * @param layer the layer
 * @param input its input {@code [n, *in]}
 * @param output its recorded output {@code [n, *out]}
 * @param params its parameters in {@link Layer#parameters()} order
 * @param g the output cotangent, dense {@code [n, *out]}
 * @param n the number of samples
 */
public record LayerFactors(Layer layer, Tensor input, Tensor output, List<Tensor> params, INDArray g, long n) {
    public LayerFactors {
        params = List.copyOf(params);
    }

    /** {@code a} ({@code [n, *, f]}) viewed as {@code [n, T, f]}. */
    public INDArray positions(INDArray a, long features) {
        return a.reshape('c', n, a.length() / (n * features), features);
    }
}
