package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-sample gradients: the {@code [N, M]} matrix (row {@code b} is sample {@code b}'s gradient
 * with respect to all parameters, flattened in {@link ParameterLayout} order) and per-parameter
 * views {@code [N, *shape]}.
 *
 * <pre>{@code
 * PerSampleResult g = PerSampleGradients.of(loss).compute(x, y, params, names);
 * INDArray matrix = g.matrix();            // [N, M]
 * INDArray wGrads = g.view("fc.weight");   // [N, 10, 784]
 * }</pre>
 *
 * @param matrix the {@code [N, M]} per-sample gradient matrix
 * @param layout the column layout of the parameters
 */
public record PerSampleResult(INDArray matrix, ParameterLayout layout) {

    /** The columns of parameter {@code i} as {@code [N, *shape]} (a view where ND4J can express it, else a copy). */
    public INDArray view(int i) {
        long n = matrix.size(0);
        INDArray cols = matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i)));
        return cols.reshape('c', Shapes.concat(new long[] {n}, layout.shapes().get(i)));
    }

    /** The columns of the named parameter as {@code [N, *shape]}. */
    public INDArray view(String name) {
        return view(layout.indexOf(name));
    }
}
