package dev.jacflux.pipeline;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.config.NonFinitePolicy;
import dev.jacflux.config.Precision;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
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
        if (policy == NonFinitePolicy.REJECT && !Double.isFinite(x.sumNumber().doubleValue())) {
            // a finite sum proves there is no NaN or infinity (one fast reduction); otherwise count them
            // (a sum can also overflow for huge finite values, which the counts then clear)
            long nan = count(x, true);
            long inf = count(x, false);
            if (nan + inf > 0) {
                throw new NonFiniteInputException("batch " + batch.id() + ": input " + Shapes.str(x.shape()) + " contains " + nan
                        + " NaN and " + inf + " infinite values (non-finite policy: reject)");
            }
        }
        DataType want = dtype(precision);
        return x.dataType() == want ? x : x.castTo(want);
    }

    private static long count(INDArray x, boolean nan) {
        MatchCondition op = new MatchCondition(x, nan ? Conditions.isNan() : Conditions.isInfinite());
        return Nd4j.getExecutioner().exec(op).getLong(0);
    }
}
