package dev.jacflux.autodiff.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Several threads pulling back chunks of one recorded graph at once equals doing it sequentially,
 * round after round into one result buffer that is refilled with NaN before each round.
 */
class ConcurrentPullbackTest {

    @Test
    void parallelChunksOfOneGraphEqualSequential() throws Exception {
        Tensor w1 = Tensor.constant(Gen.random(31, 8, 16));
        Tensor w2 = Tensor.constant(Gen.random(32, 16, 12));
        Function<Tensor, Tensor> f = x -> x.matmul(w1).tanh().matmul(w2).sigmoid().mul(x.sum(true, 1));
        INDArray x = Gen.random(33, 6, 8);
        JacobianOptions opts = JacobianOptions.DEFAULT.withChunkSize(1);
        BatchJacobian.Job job = BatchJacobian.of(f, opts).prepare(x);
        assertEquals(12, job.chunks().size());
        INDArray sequential = job.runInto(job.allocateResult());

        INDArray parallel = job.allocateResult();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                parallel.assign(Double.NaN);   // a chunk lost or written twice elsewhere leaves NaN behind (Close fails on NaN)
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();
                for (RowChunk c : job.chunks()) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        job.assemble(job.compute(c), parallel);
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> fu : futures) {
                    fu.get();
                }
                Close.assertClose("round " + round, sequential, parallel, 0, 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
