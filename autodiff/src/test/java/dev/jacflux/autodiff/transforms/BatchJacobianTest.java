package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.FiniteDifferences;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BatchJacobianTest {
    private static final int B = 4;
    private static final int N = 5;
    private static final int H = 6;
    private static final int M = 3;

    private final Tensor w1 = Tensor.constant(Gen.random(11, N, H));
    private final Tensor b1 = Tensor.constant(Gen.random(12, H));
    private final Tensor w2 = Tensor.constant(Gen.random(13, H, M));
    private final Function<Tensor, Tensor> mlp = x -> x.matmul(w1).add(b1).tanh().matmul(w2).sin();
    private final INDArray x = Gen.random(14, B, N);

    /** Diagonal blocks of the full Jacobian [B, M, B, N] of the batched function. */
    private INDArray diagonalBlocks(INDArray full) {
        INDArray out = Nd4j.create(DataType.DOUBLE, B, M, N);
        for (int b = 0; b < B; b++) {
            out.get(NDArrayIndex.point(b)).assign(full.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(b), NDArrayIndex.all()));
        }
        return out;
    }

    @Test
    void equalsLoopDiagonalBlocksOfFullJacobianAndFiniteDifferences() {
        INDArray fast = BatchJacobian.of(mlp).compute(x);
        assertArrayEquals(new long[] {B, M, N}, fast.shape());
        Close.assertClose("batch jacobian vs row loop", RowLoop.batchJacobian(mlp, x), fast, 1e-12, 1e-10);
        INDArray full = Autodiff.jacrev(mlp, x, 0);
        Close.assertClose("batch jacobian vs diagonal blocks of jacrev", diagonalBlocks(full), fast, 1e-12, 1e-10);
        INDArray fd = FiniteDifferences.jacobian(v -> mlp.apply(v.get(0)), List.of(x), 0).reshape(B, M, B, N);
        Close.assertFd("batch jacobian vs finite differences", diagonalBlocks(fd), fast);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 0})
    void chunkSizesGiveTheSameResult(long chunk) {
        INDArray all = BatchJacobian.of(mlp).compute(x);
        INDArray chunked = BatchJacobian.of(mlp, JacobianOptions.DEFAULT.withChunkSize(chunk)).compute(x);
        Close.assertClose("chunk size " + chunk, all, chunked, 1e-13, 1e-12);
    }

    @Test
    void memoryBudgetSplitsIntoChunksAndAgrees() {
        BatchJacobian.Job job = BatchJacobian.of(mlp, JacobianOptions.DEFAULT.withMemoryBudget(5_000)).prepare(x);
        assertTrue(job.chunks().size() > 1, "a small budget must split the rows, got " + job.chunks());
        Close.assertClose("budgeted", BatchJacobian.of(mlp).compute(x), job.runInto(job.allocateResult()), 1e-13, 1e-12);
    }

    @Test
    void batchInvariantLinearMapIsBroadcastIntoEverySample() {
        // a linear map: every sample's Jacobian is w^T, computed once and broadcast
        Function<Tensor, Tensor> lin = v -> v.matmul(w1);
        INDArray jac = BatchJacobian.of(lin, JacobianOptions.DEFAULT.withChunkSize(4)).compute(x);
        for (int b = 0; b < B; b++) {
            Close.assertClose("sample " + b, w1.value().transpose(), jac.get(NDArrayIndex.point(b)), 1e-15, 0);
        }
    }

    @Test
    void writesIntoCallerBufferAndRejectsWrongOnes() {
        INDArray out = Nd4j.create(DataType.DOUBLE, B, M, N);
        assertSame(out, BatchJacobian.of(mlp).compute(x, out));
        Close.assertClose("into buffer", BatchJacobian.of(mlp).compute(x), out, 0, 0);
        AutodiffException e = assertThrows(AutodiffException.class,
                () -> BatchJacobian.of(mlp).compute(x, Nd4j.create(DataType.DOUBLE, B, N, M)));
        assertTrue(e.getMessage().contains("[4, 5, 3]") && e.getMessage().contains("[4, 3, 5]"), e.getMessage());
        INDArray strided = Nd4j.create(DataType.DOUBLE, B, M, 2 * N).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, N));
        e = assertThrows(AutodiffException.class, () -> BatchJacobian.of(mlp).compute(x, strided));
        assertTrue(e.getMessage().contains("row-major"), e.getMessage());
    }

    @Test
    void float32AgreesWithFloat64() {
        Function<Tensor, Tensor> f32 = v -> v.matmul(Tensor.constant(w1.value().castTo(DataType.FLOAT))).tanh();
        Function<Tensor, Tensor> f64 = v -> v.matmul(w1).tanh();
        INDArray j32 = BatchJacobian.of(f32, JacobianOptions.DEFAULT.withChunkSize(4)).compute(x.castTo(DataType.FLOAT));
        assertTrue(j32.dataType() == DataType.FLOAT);
        Close.assertClose("float32", BatchJacobian.of(f64).compute(x), j32.castTo(DataType.DOUBLE), 1e-6, 1e-5);
    }

    @Test
    void independenceCheckRefusesFunctionsThatMixSamples() {
        Function<Tensor, Tensor> centred = v -> v.sub(v.mean(true, 0)).tanh();
        AutodiffException e = assertThrows(AutodiffException.class,
                () -> BatchJacobian.of(centred, JacobianOptions.DEFAULT.withIndependenceCheck(true)).compute(x));
        assertTrue(e.getMessage().contains("depends on the input of sample") && e.getMessage().contains("mixes samples"), e.getMessage());
        // the same check passes a function that keeps samples apart, and the result is unchanged
        INDArray checked = BatchJacobian.of(mlp, JacobianOptions.DEFAULT.withIndependenceCheck(true).withChunkSize(2)).compute(x);
        Close.assertClose("checked", BatchJacobian.of(mlp).compute(x), checked, 0, 0);
    }

    @Test
    void errorsNameTheProblem() {
        AutodiffException empty = assertThrows(AutodiffException.class,
                () -> BatchJacobian.of(mlp).compute(Nd4j.create(DataType.DOUBLE, 0, N)));
        assertTrue(empty.getMessage().contains("empty batch"), empty.getMessage());
        AutodiffException noBatch = assertThrows(AutodiffException.class,
                () -> BatchJacobian.of(v -> v.sum(0)).compute(x));
        assertTrue(noBatch.getMessage().contains("does not keep the batch axis"), noBatch.getMessage());
    }

    @Test
    void outputIndependentOfInputGivesZeros() {
        INDArray jac = BatchJacobian.of(v -> Tensor.constant(Nd4j.ones(DataType.DOUBLE, B, 2))).compute(x);
        assertTrue(jac.equals(Nd4j.zeros(DataType.DOUBLE, B, 2, N)));
    }
}
