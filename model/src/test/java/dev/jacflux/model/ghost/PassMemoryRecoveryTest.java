package dev.jacflux.model.ghost;

import static dev.jacflux.model.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.Fixtures;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A per-sample pass that fails inside the thread's pass workspace ({@link PassMemory}: a native
 * {@code std::bad_alloc}, a Java error) must not leave that workspace broken: the next per-sample
 * gradients and ghost norms on the same thread work and equal N single-sample backward passes.
 * Before the workspace was discarded on failure, every later pass on the thread failed with a null
 * {@code PagedPointer}.
 */
class PassMemoryRecoveryTest {
    /** 2^45 doubles = 256 TiB: more than any machine (and a 47-bit address space) can allocate. */
    private static final long UNALLOCATABLE = 1L << 45;

    private static void assertRightResults(String after) {
        Sequential arch = Sequential.of(new long[] {6}, Linear.of("fc1", 6, 5), new Tanh(), Linear.of("fc2", 5, 3));
        for (int k = 0; k < 3; k++) {
            Model m = Fixtures.randomModel(arch, 40 + k);
            INDArray x = Fixtures.normal(50 + k, 4, 6);
            INDArray y = Fixtures.labels(60 + k, 4, 3);
            INDArray loop = RowLoop.perSampleGradients(m.lossFunction(Loss.crossEntropy()), x, y, m.parameters());
            assertClose("per-sample gradients after " + after, loop, PerSample.gradients(m, x, y, Loss.crossEntropy()).matrix());
            assertClose("ghost norms after " + after, Transforms.sqrt(loop.mul(loop).sum(1), false),
                    PerSample.gradientNorms(m, x, y, Loss.crossEntropy()));
        }
    }

    /** Runs everything on one fresh thread, so the failing and the following passes share its workspace. */
    private static void onOneThread(Runnable body) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<?> f = thread.submit(body);
            f.get(60, TimeUnit.SECONDS);
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aNativeAllocationFailureInAPassLeavesTheThreadsPassMemoryUsable() throws Exception {
        onOneThread(() -> {
            assertRightResults("nothing");   // the workspace has learnt its size
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> PassMemory.run(() -> Nd4j.createUninitialized(DataType.DOUBLE, UNALLOCATABLE)));
            assertTrue(String.valueOf(e.getMessage()).contains("bad_alloc"), e.getMessage());
            assertRightResults("a std::bad_alloc");
        });
    }

    @Test
    void aJavaErrorInAPassLeavesTheThreadsPassMemoryUsable() throws Exception {
        onOneThread(() -> {
            assertRightResults("nothing");
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> PassMemory.runInto(() -> {
                Nd4j.createUninitialized(DataType.DOUBLE, 16);
                throw new OutOfMemoryError("Java heap space (injected)");
            }, v -> {
            }));
            assertEquals("Java heap space (injected)", e.getMessage());
            assertRightResults("an OutOfMemoryError");
            assertThrows(RuntimeException.class, () -> PassMemory.run(() -> Nd4j.createUninitialized(DataType.DOUBLE, UNALLOCATABLE)));
            assertThrows(RuntimeException.class, () -> PassMemory.run(() -> Nd4j.createUninitialized(DataType.DOUBLE, UNALLOCATABLE)));
            assertRightResults("two std::bad_alloc in a row");
        });
    }
}
