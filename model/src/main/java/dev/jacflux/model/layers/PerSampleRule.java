package dev.jacflux.model.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a layer type contributes to per-sample computations, from one ordinary forward and backward
 * pass over a batch ({@link LayerFactors}: the layer's input and the cotangent of its output, which
 * at sample {@code b} is {@code dL_b / d out[b]} because each loss depends on its own sample only).
 * One rule per layer type, next to its forward pass in the layer's file; layers without one use
 * {@link LocalPerSampleRule}, a per-sample pullback through the layer alone. The model's per-sample
 * gradients, ghost norms and clipped sums (DP-SGD) all go through these three methods, so adding a
 * layer type means adding one file.
 *
 * <pre>{@code
 * PerSampleRule rule = layer.perSampleRule();
 * rule.writeGradients(factors, rows);                               // rows [n, numel of the layer's parameters]
 * List<INDArray> sq = rule.squaredNorms(factors, GramChoice.CHEAPER);   // per parameter, [n]
 * List<INDArray> sums = rule.weightedSum(factors, clipFactors);      // per parameter, its shape
 * }</pre>
 */
public interface PerSampleRule {

    /**
     * Writes sample {@code b}'s gradient of the layer's parameters (in layout order, each
     * flattened row-major) into row {@code b} of {@code rows}, an {@code [n, numel]} block of
     * columns of the {@code N x M} result (usually a strided view that must be written in place).
     */
    void writeGradients(LayerFactors f, INDArray rows);

    /** For each parameter, the squared norms of its per-sample gradients, {@code [n]}. */
    List<INDArray> squaredNorms(LayerFactors f, GramChoice choice);

    /** For each parameter, {@code sum_b c_b dL_b/dθ} (the parameter's shape), without per-sample gradients. */
    List<INDArray> weightedSum(LayerFactors f, INDArray c);

    /**
     * Working memory of one sample beyond the activations and their cotangents, in elements, for
     * a per-sample input of {@code inShape} and output of {@code outShape}.
     */
    long workPerSample(Layer layer, long[] inShape, long[] outShape, GramChoice choice);
}
