package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.ops.CrossEntropy;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Jobs run in several parallel parts give what the plain loop of single-row passes gives, for every kind of job. */
class ParallelChunksTest {

    private static final INDArray W1 = Gen.random(11, 6, 5);
    private static final INDArray W2 = Gen.random(12, 5, 4);

    private static Function<Tensor, Tensor> mlp() {
        Tensor w1 = Tensor.constant(W1);
        Tensor w2 = Tensor.constant(W2);
        return v -> v.matmul(w1).tanh().matmul(w2);
    }

    /** A job and what a loop of single-row (or single-sample) passes gives. */
    record Case(String name, StagedJob job, INDArray expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        INDArray x = Gen.random(13, 7, 6);
        INDArray xv = Gen.random(14, 6, 1);
        Function<Tensor, Tensor> f = mlp();
        Tensor w1 = Tensor.constant(W1);
        Function<Tensor, Tensor> g = v -> w1.transpose().matmul(v).tanh();                 // [5, 1]
        Function<Tensor, Tensor> s = v -> w1.transpose().matmul(v).tanh().square().sum();
        INDArray labels = Nd4j.createFromArray(new long[] {0, 3, 1, 2, 3, 0, 1});
        PerSampleFunction loss = (in, t, p) -> CrossEntropy.apply(in.matmul(p.get(0)).tanh().matmul(p.get(1)), t);
        return Stream.of(
                new Case("batch jacobian", BatchJacobian.of(f).prepare(x), RowLoop.batchJacobian(f, x)),
                new Case("full jacobian (reverse)", FullJacobian.of(g, JacobianOptions.DEFAULT.withMode(JacobianOptions.Mode.REVERSE)).prepare(xv),
                        RowLoop.jacobian(g, xv)),
                new Case("full jacobian (forward)", FullJacobian.of(g, JacobianOptions.DEFAULT.withMode(JacobianOptions.Mode.FORWARD)).prepare(xv),
                        RowLoop.jacobian(g, xv)),
                new Case("hessian", Hessian.of(s).prepare(xv), Hessian.of(s).compute(xv)),
                new Case("per-sample gradients", PerSampleGradients.of(loss).prepare(x, labels, List.of(W1, W2), List.of("w1", "w2")),
                        RowLoop.perSampleGradients(loss, x, labels, List.of(W1, W2))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void partsGiveTheSameResultAsTheLoop(Case c) {
        for (int parts : new int[] {1, 2, 3}) {
            INDArray out = Nd4j.valueArrayOf(c.job().resultShape(), Double.NaN, DataType.DOUBLE);
            INDArray result = ParallelChunks.runInto(c.job(), out, parts);
            assertTrue(result == out, "written into the given buffer");
            Close.assertClose(c.name() + " in " + parts + " parts", c.expected().reshape(out.shape()), out, 1e-12, 1e-10);
        }
    }

    @Test
    void splitCoversEveryRowOnceInOrder() {
        List<RowChunk> parts = ParallelChunks.split(List.of(new RowChunk(0, 0, 5), new RowChunk(1, 5, 1)), 2);
        assertEquals(List.of(new RowChunk(0, 0, 3), new RowChunk(1, 3, 2), new RowChunk(2, 5, 1)), parts);
    }

    @Test
    void smallJobsAndSingleThreadedCallersRunInOnePart() {
        assertEquals(1, ParallelChunks.parts(ParallelChunks.MIN_WORK - 1, 100));
        assertEquals(1, ParallelChunks.parts(ParallelChunks.MIN_WORK * 10, 1));
    }

    @Test
    void aFailingPartFailsTheCallWithItsMessage() {
        INDArray x = Gen.random(15, 4, 6);
        Function<Tensor, Tensor> bad = v -> {
            throw new AutodiffException("boom in f");
        };
        StagedJob job = new StagedJob() {
            @Override
            public String kind() {
                return "test";
            }

            @Override
            public long samples() {
                return 4;
            }

            @Override
            public List<RowChunk> chunks() {
                return List.of(new RowChunk(0, 0, 4));
            }

            @Override
            public ChunkRows compute(RowChunk chunk) {
                if (chunk.start() > 0) {
                    bad.apply(Tensor.constant(x));
                }
                return new ChunkRows(chunk, Nd4j.zeros(DataType.DOUBLE, chunk.count()));
            }

            @Override
            public void assemble(ChunkRows rows, INDArray result) {
            }

            @Override
            public long[] resultShape() {
                return new long[] {4};
            }

            @Override
            public DataType dtype() {
                return DataType.DOUBLE;
            }
        };
        AutodiffException e = assertThrows(AutodiffException.class, () -> ParallelChunks.runInto(job, Nd4j.zeros(DataType.DOUBLE, 4), 2));
        assertEquals("boom in f", e.getMessage());
    }
}
