package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The result pool reuses memory only of results that nothing references any more, views included. */
class ResultArraysTest {
    private static final long[] SHAPE = {300, 1000};   // 1.2 MB of float32: pooled

    private static long address(INDArray a) {
        return a.data().address() + a.offset() * a.dataType().width();
    }

    /** Collects garbage until an allocation of {@code SHAPE} lands on {@code address}, or gives up after a few rounds. */
    private static INDArray allocateAfterGc(long address) {
        INDArray a = null;
        for (int round = 0; round < 5; round++) {
            System.gc();
            a = ResultArrays.allocate(DataType.FLOAT, SHAPE);
            if (address(a) == address) {
                return a;
            }
        }
        return a;
    }

    @Test
    void anUnreachableResultsMemoryIsReusedAndAReachableViewKeepsItsOwn() {
        INDArray first = ResultArrays.allocate(DataType.FLOAT, SHAPE);
        assertArrayEquals(SHAPE, first.shape());
        first.assign(7);
        long at = address(first);
        INDArray view = first.get(NDArrayIndex.interval(10, 20), NDArrayIndex.all()).reshape('c', new long[] {10 * 1000});
        first = null;
        INDArray second = allocateAfterGc(at);
        assertNotEquals(at, address(second), "a view of the first result is alive: its memory must not be handed out");
        assertEquals(7.0, view.getDouble(0), 0.0);
        second.assign(1);
        assertEquals(7.0, view.getDouble(0), 0.0);
        view = null;
        INDArray third = allocateAfterGc(at);
        assertEquals(at, address(third), "nothing references the first result any more: its memory is reused");
        third.assign(3);
        assertEquals(1.0, second.getDouble(0, 0), 0.0);
    }

    @Test
    void smallArraysAreNotPooledAndShapesAreRowMajor() {
        INDArray small = ResultArrays.allocate(DataType.DOUBLE, 3, 4);
        assertArrayEquals(new long[] {3, 4}, small.shape());
        assertEquals('c', small.ordering());
        INDArray big = ResultArrays.allocate(DataType.DOUBLE, 2, 3, 100_000);
        assertArrayEquals(new long[] {300_000, 100_000, 1}, big.stride());
        big.assign(Nd4j.ones(DataType.DOUBLE, 2, 3, 100_000));
        assertEquals(600_000.0, big.sumNumber().doubleValue(), 0.0);
    }
}
