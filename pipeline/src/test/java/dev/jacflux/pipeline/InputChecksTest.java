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
        assertSame(x, InputChecks.admit(Batch.of("bad", x), Precision.FLOAT32, NonFinitePolicy.ALLOW));
    }

    @Test
    void inputIsConvertedToTheConfiguredPrecision() {
        INDArray x = Nd4j.ones(DataType.DOUBLE, 2, 2);
        assertEquals(DataType.FLOAT, InputChecks.admit(Batch.of("d", x), Precision.FLOAT32, NonFinitePolicy.REJECT).dataType());
    }
}
