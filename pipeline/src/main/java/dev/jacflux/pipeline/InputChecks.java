package dev.jacflux.pipeline;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.config.NonFinitePolicy;
import dev.jacflux.config.Precision;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Admission checks of the forward stage: a non-empty batch, the configured precision, and the
 * non-finite policy.
 *
 * <pre>{@code
 * INDArray x = InputChecks.admit(batch, Precision.FLOAT32, NonFinitePolicy.REJECT);
 * }</pre>
 */
public final class InputChecks {
    private InputChecks() {
    }

    /** The ND4J dtype of a precision. */
    public static DataType dtype(Precision p) {
        return p == Precision.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    }

    /** The batch input in the configured precision, or an exception naming the batch and the problem. */
    public static INDArray admit(Batch batch, Precision precision, NonFinitePolicy policy) {
        INDArray x = batch.input();
        if (x.rank() < 1 || x.size(0) == 0) {
            throw new IllegalArgumentException("batch " + batch.id() + ": empty batch, input shape " + Shapes.str(x.shape())
                    + "; expected [N, ...] with N >= 1");
        }
        if (!x.dataType().isFPType()) {
            throw new IllegalArgumentException("batch " + batch.id() + ": input dtype " + x.dataType()
                    + " is not floating point; expected FLOAT or DOUBLE");
        }
        if (batch.targets() != null && (batch.targets().rank() < 1 || batch.targets().size(0) != x.size(0))) {
            throw new IllegalArgumentException("batch " + batch.id() + ": targets " + Shapes.str(batch.targets().shape())
                    + " do not match the " + x.size(0) + " samples of input " + Shapes.str(x.shape()));
        }
        requireFinite(x, "batch " + batch.id() + ": input", policy);
        DataType want = dtype(precision);
        return x.dataType() == want ? x : x.castTo(want);
    }

    /**
     * The non-finite policy applied to any floating-point array (a batch input, a file's array, a
     * model's weights): under {@link NonFinitePolicy#REJECT}, an array holding NaN or infinities
     * is refused with a message naming {@code what}, the counts, and the first non-finite element
     * and its index; under {@link NonFinitePolicy#ALLOW} nothing is checked. Integer arrays pass.
     *
     * <pre>{@code
     * InputChecks.requireFinite(x, "x.npy (--input)", NonFinitePolicy.REJECT);
     * // NonFiniteInputException: x.npy (--input) [4, 3] contains 1 NaN and 0 infinite values, the first NaN at index [1, 2] ...
     * }</pre>
     *
     * @throws NonFiniteInputException if the policy rejects and the array holds NaN or infinities
     */
    public static void requireFinite(INDArray x, String what, NonFinitePolicy policy) {
        // a finite sum proves there is no NaN or infinity (one fast reduction); otherwise count them
        // (a sum can also overflow for huge finite values, which the counts then clear)
        if (policy != NonFinitePolicy.REJECT || !x.dataType().isFPType() || x.isEmpty() || Double.isFinite(x.sumNumber().doubleValue())) {
            return;
        }
        long nan = count(x, true);
        long inf = count(x, false);
        if (nan + inf > 0) {
            INDArray c = x.ordering() == 'c' && !x.isView() ? x : x.dup('c');
            INDArray flat = c.reshape('c', new long[] {c.length()});
            long first = BooleanIndexing.firstIndex(flat, Conditions.notFinite()).getLong(0);
            throw new NonFiniteInputException(what + " " + Shapes.str(x.shape()) + " contains " + nan + " NaN and " + inf
                    + " infinite values, the first " + flat.getDouble(first) + " at index " + Shapes.str(unravel(first, x.shape()))
                    + " (non-finite policy: reject)");
        }
    }

    /** The C-order multi-index of flat index {@code flat} in {@code shape}. */
    private static long[] unravel(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    private static long count(INDArray x, boolean nan) {
        MatchCondition op = new MatchCondition(x, nan ? Conditions.isNan() : Conditions.isInfinite());
        return Nd4j.getExecutioner().exec(op).getLong(0);
    }
}
