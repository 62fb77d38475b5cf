package dev.jacflux.autodiff.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A reverse sweep that fails inside the thread's scratch workspace (a native {@code std::bad_alloc},
 * a Java error) must not leave that workspace broken: the next sweeps on the same thread work and
 * give the right values. Before the workspace was discarded on failure, every later sweep on the
 * thread failed with a null {@code PagedPointer}.
 */
class ScratchRecoveryTest {
    /** 2^45 doubles = 256 TiB: more than any machine (and a 47-bit address space) can allocate. */
    private static final long UNALLOCATABLE = 1L << 45;

    /** The identity whose VJP first allocates {@code elements} doubles, or throws {@code error}. */
    private record Failing(Tensor x, long elements, Error error) implements Op {
        @Override
        public String name() {
            return "failing";
        }

        @Override
        public List<Tensor> inputs() {
            return List.of(x);
        }

        @Override
        public List<Tensor> vjp(VjpContext c) {
            if (error != null) {
                throw error;
            }
            Nd4j.createUninitialized(DataType.DOUBLE, elements);
            return List.of(c.g());
        }

        @Override
        public Tensor jvp(JvpContext c) {
            return c.tangent(0);
        }
    }

    private static INDArray data(long seed, long rows, long cols) {
        Random r = new Random(seed);
        double[] v = new double[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return Nd4j.create(v, new long[] {rows, cols}, DataType.DOUBLE);
    }

    /** d/dx sum(tanh(x W)) by the engine: tanh'(x W) W^T with a ones seed. */
    private static INDArray gradient(INDArray x, INDArray w) {
        Tensor tx = Tensor.variable(x);
        Tensor y = tx.matmul(Tensor.constant(w)).tanh();
        Tensor seed = Tensor.constant(Nd4j.ones(DataType.DOUBLE, y.shape()));
        return Backprop.pullback(List.of(y), List.of(seed), List.of(tx), Backprop.Options.DEFAULT).get(0).value();
    }

    /** The same gradient through {@link Backprop#pullbackInto}: the cotangent copied out while it is still in scratch memory. */
    private static INDArray gradientInto(INDArray x, INDArray w) {
        Tensor tx = Tensor.variable(x);
        Tensor y = tx.matmul(Tensor.constant(w)).tanh();
        Tensor seed = Tensor.constant(Nd4j.ones(DataType.DOUBLE, y.shape()));
        INDArray out = Nd4j.create(DataType.DOUBLE, x.shape());
        Backprop.pullbackInto(List.of(y), List.of(seed), List.of(tx), Backprop.Options.DEFAULT, g -> out.assign(g.get(0).value()));
        return out;
    }

    /** The same gradient by central finite differences in float64. */
    private static INDArray finiteDifferences(INDArray x, INDArray w) {
        INDArray g = Nd4j.create(DataType.DOUBLE, x.shape());
        double h = 1e-6;
        for (long i = 0; i < x.rows(); i++) {
            for (long j = 0; j < x.columns(); j++) {
                INDArray plus = x.dup();
                INDArray minus = x.dup();
                plus.putScalar(i, j, x.getDouble(i, j) + h);
                minus.putScalar(i, j, x.getDouble(i, j) - h);
                double fp = org.nd4j.linalg.ops.transforms.Transforms.tanh(plus.mmul(w), false).sumNumber().doubleValue();
                double fm = org.nd4j.linalg.ops.transforms.Transforms.tanh(minus.mmul(w), false).sumNumber().doubleValue();
                g.putScalar(i, j, (fp - fm) / (2 * h));
            }
        }
        return g;
    }

    private static void failingSweep(long elements, Error error) {
        Tensor tx = Tensor.variable(data(3, 4, 5));
        Tensor y = Tensor.of(new Failing(tx, elements, error), tx.value().dup());
        Backprop.pullback(List.of(y), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 4, 5))), List.of(tx), Backprop.Options.DEFAULT);
    }

    private static void failingSweepInto(long elements, Error error) {
        Tensor tx = Tensor.variable(data(3, 4, 5));
        Tensor y = Tensor.of(new Failing(tx, elements, error), tx.value().dup());
        Backprop.pullbackInto(List.of(y), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 4, 5))), List.of(tx), Backprop.Options.DEFAULT,
                g -> {
                });
    }

    /** Runs everything on one fresh thread, so the failing and the following sweeps share its workspace. */
    private static void onOneThread(Runnable body) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<?> f = thread.submit(body);
            f.get(60, TimeUnit.SECONDS);
        } finally {
            thread.shutdownNow();
        }
    }

    private static void assertRightGradients(String after) {
        assertRightGradients(after, ScratchRecoveryTest::gradient);
    }

    private static void assertRightGradients(String after, java.util.function.BinaryOperator<INDArray> engine) {
        INDArray w = data(2, 5, 3);
        for (int k = 0; k < 5; k++) {
            INDArray x = data(10 + k, 4, 5);
            INDArray got = engine.apply(x, w);
            double diff = finiteDifferences(x, w).sub(got).amaxNumber().doubleValue();
            assertTrue(diff < 1e-7, "sweep " + k + " after " + after + ": differs from finite differences by " + diff);
        }
    }

    @Test
    void aNativeAllocationFailureInASweepLeavesTheThreadsScratchUsable() throws Exception {
        onOneThread(() -> {
            assertRightGradients("nothing");   // the workspace has learnt its size
            RuntimeException e = assertThrows(RuntimeException.class, () -> failingSweep(UNALLOCATABLE, null));
            assertTrue(String.valueOf(e.getMessage()).contains("bad_alloc"), e.getMessage());
            assertRightGradients("a std::bad_alloc");
        });
    }

    @Test
    void aJavaErrorInASweepLeavesTheThreadsScratchUsable() throws Exception {
        onOneThread(() -> {
            assertRightGradients("nothing");
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class,
                    () -> failingSweep(16, new OutOfMemoryError("Java heap space (injected)")));
            assertEquals("Java heap space (injected)", e.getMessage());
            assertRightGradients("an OutOfMemoryError");
            // a sweep that failed while the workspace was still learning its size
            assertThrows(RuntimeException.class, () -> failingSweep(UNALLOCATABLE, null));
            assertThrows(RuntimeException.class, () -> failingSweep(UNALLOCATABLE, null));
            assertRightGradients("two std::bad_alloc in a row");
        });
    }

    @Test
    void aFailureInASweepWhoseCotangentsAreUsedInPlaceLeavesTheThreadsScratchUsable() throws Exception {
        onOneThread(() -> {
            assertRightGradients("nothing", ScratchRecoveryTest::gradientInto);
            RuntimeException e = assertThrows(RuntimeException.class, () -> failingSweepInto(UNALLOCATABLE, null));
            assertTrue(String.valueOf(e.getMessage()).contains("bad_alloc"), e.getMessage());
            assertRightGradients("a std::bad_alloc in pullbackInto", ScratchRecoveryTest::gradientInto);
            assertRightGradients("a std::bad_alloc in pullbackInto", ScratchRecoveryTest::gradient);
            assertThrows(OutOfMemoryError.class, () -> failingSweepInto(16, new OutOfMemoryError("Java heap space (injected)")));
            assertRightGradients("an OutOfMemoryError in pullbackInto", ScratchRecoveryTest::gradientInto);
        });
    }
}
