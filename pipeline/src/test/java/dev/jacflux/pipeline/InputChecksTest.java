package dev.jacflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.config.NonFinitePolicy;
import dev.jacflux.config.Precision;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InputChecksTest {

    @Test
    void hugeFiniteValuesWhoseSumOverflowsAreAdmitted() {
        INDArray x = Nd4j.valueArrayOf(new long[] {4, 3}, 3e38f, DataType.FLOAT);   // the sum overflows float32
        assertSame(x, InputChecks.admit(Batch.of("big", x), Precision.FLOAT32, NonFinitePolicy.REJECT));
    }

    @Test
    void nanAndInfinityAreCountedAndRejected() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 4, 3);
        x.putScalar(0, 1, Float.POSITIVE_INFINITY);
        x.putScalar(2, 2, Float.NEGATIVE_INFINITY);
        x.putScalar(3, 0, Float.NaN);
        NonFiniteInputException e = assertThrows(NonFiniteInputException.class,
                () -> InputChecks.admit(Batch.of("bad", x), Precision.FLOAT32, NonFinitePolicy.REJECT));
        assertTrue(e.getMessage().contains("1 NaN and 2 infinite"), e.getMessage());
        assertTrue(e.getMessage().contains("the first Infinity at index [0, 1]"), e.getMessage());
        assertSame(x, InputChecks.admit(Batch.of("bad", x), Precision.FLOAT32, NonFinitePolicy.ALLOW));
    }

    @Test
    void theFirstNonFiniteElementIsNamedByItsIndexInAnyLayout() {
        INDArray x = Nd4j.ones(DataType.DOUBLE, 3, 4, 5);
        x.putScalar(new long[] {2, 1, 3}, Double.NaN);
        x.putScalar(new long[] {1, 3, 0}, Double.NEGATIVE_INFINITY);
        NonFiniteInputException c = assertThrows(NonFiniteInputException.class,
                () -> InputChecks.requireFinite(x, "x.npy", NonFinitePolicy.REJECT));
        assertTrue(c.getMessage().startsWith("x.npy [3, 4, 5] contains 1 NaN and 1 infinite values, the first -Infinity at index [1, 3, 0]"),
                c.getMessage());
        INDArray f = x.dup('f');
        NonFiniteInputException fortran = assertThrows(NonFiniteInputException.class,
                () -> InputChecks.requireFinite(f, "f", NonFinitePolicy.REJECT));
        assertTrue(fortran.getMessage().contains("the first -Infinity at index [1, 3, 0]"), fortran.getMessage());
        INDArray view = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2));
        NonFiniteInputException v = assertThrows(NonFiniteInputException.class,
                () -> InputChecks.requireFinite(view, "view", NonFinitePolicy.REJECT));
        assertTrue(v.getMessage().contains("[4, 5] contains 1 NaN and 0 infinite values, the first NaN at index [1, 3]"), v.getMessage());
        InputChecks.requireFinite(x, "allowed", NonFinitePolicy.ALLOW);
        InputChecks.requireFinite(Nd4j.createFromArray(new long[] {1, 2}), "integers", NonFinitePolicy.REJECT);
    }

    @Test
    void inputIsConvertedToTheConfiguredPrecision() {
        INDArray x = Nd4j.ones(DataType.DOUBLE, 2, 2);
        assertEquals(DataType.FLOAT, InputChecks.admit(Batch.of("d", x), Precision.FLOAT32, NonFinitePolicy.REJECT).dataType());
    }
}
