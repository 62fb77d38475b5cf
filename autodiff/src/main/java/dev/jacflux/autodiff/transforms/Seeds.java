package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import dev.jacflux.autodiff.ops.IdentityRows;

/**
 * The first cotangents (or tangents) of a pass: blocks of the identity.
 *
 * <pre>{@code
 * Tensor seed = Seeds.identityRows(DataType.FLOAT, 64, 32, new long[]{1}, new long[]{10});
 * // [32, 1, 10]: rows 64..95 of the identity over 10 outputs, the same for every sample
 * }</pre>
 */
public final class Seeds {
    private Seeds() {
    }

    /**
     * Rows {@code start .. start+count} of the identity over {@code numel(valueShape)} elements,
     * shaped {@code [count, *middle, *valueShape]} where {@code middle} is a block of size-1 axes
     * (constant along them; e.g. {@code [1]} for "the same for every sample").
     */
    public static Tensor identityRows(DataType dtype, long start, long count, long[] middle, long[] valueShape) {
        long d = Shapes.numel(valueShape);
        long[] shape = Shapes.concat(Shapes.concat(new long[] {count}, middle), valueShape);
        // remembered across passes (a constant), and recognised by GEMMs as a gather of rows
        return Tensor.constant(IdentityRows.block(dtype, start, count, d).reshape('c', shape));
    }
}
