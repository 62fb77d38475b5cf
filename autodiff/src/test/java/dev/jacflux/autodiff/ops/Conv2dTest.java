package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Conv2d: forward values against a plain loop, errors, batch-invariant cotangents and per-sample
 * weight/bias cotangents against one backward pass per sample.
 */
class Conv2dTest {

    static Stream<Arguments> cases() {
        // x shape, w shape, spec
        return Stream.of(
                Arguments.of(new long[] {2, 3, 5, 6}, new long[] {4, 3, 2, 3}, Conv2dSpec.DEFAULT),
                Arguments.of(new long[] {2, 2, 5, 6}, new long[] {3, 2, 2, 3}, new Conv2dSpec(2, 2, 1, 1, 2, 2)),
                Arguments.of(new long[] {1, 2, 7, 6}, new long[] {3, 2, 3, 2}, new Conv2dSpec(2, 1, 0, 1, 1, 2)),
                Arguments.of(new long[] {3, 1, 4, 4}, new long[] {2, 1, 4, 4}, Conv2dSpec.DEFAULT),
                Arguments.of(new long[] {2, 3, 4, 5}, new long[] {5, 3, 1, 1}, new Conv2dSpec(1, 2, 0, 0, 1, 1)),
                Arguments.of(new long[] {2, 2, 6, 6}, new long[] {2, 2, 3, 3}, new Conv2dSpec(3, 3, 2, 2, 1, 1)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardMatchesPlainLoop(long[] xs, long[] ws, Conv2dSpec spec) {
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = Gen.random(1, xs).castTo(dt);
            INDArray w = Gen.random(2, ws).castTo(dt);
            INDArray b = Gen.random(3, ws[0]).castTo(dt);
            Tensor y = Conv2d.apply(Tensor.constant(x), Tensor.constant(w), spec);
            Tensor yb = Conv2d.apply(Tensor.constant(x), Tensor.constant(w), Tensor.constant(b), spec);
            double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
            assertEquals(dt, y.dtype());
            Close.assertClose("conv2d " + spec + " " + dt, ConvReference.conv2d(x, w, null, spec), y.value(), tol, tol);
            Close.assertClose("conv2d+bias " + spec + " " + dt, ConvReference.conv2d(x, w, b, spec), yb.value(), tol, tol);
        }
    }

    @Test
    void forwardOnNonContiguousViews() {
        INDArray x = Gen.random(4, 3, 2, 5, 5).permute(1, 0, 2, 3);     // [2, 3, 5, 5] view
        INDArray w = Gen.random(5, 2, 4, 3, 3).permute(1, 0, 2, 3);     // [4, 2, 3, 3] view
        INDArray xv = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2), NDArrayIndex.all(), NDArrayIndex.all()); // [2, 2, 5, 5]
        Conv2dSpec spec = new Conv2dSpec(1, 2, 1, 0, 1, 1);
        Tensor y = Conv2d.apply(Tensor.constant(xv), Tensor.constant(w), spec);
        Close.assertClose("conv2d of views", ConvReference.conv2d(xv.dup('c'), w.dup('c'), null, spec), y.value(), 1e-12, 1e-12);
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Tensor x = Tensor.constant(Gen.random(1, 2, 3, 5, 5));
        Tensor w = Tensor.constant(Gen.random(2, 4, 3, 3, 3));
        assertMessage(() -> Conv2d.apply(Tensor.constant(Gen.random(1, 3, 5, 5)), w, Conv2dSpec.DEFAULT),
                "conv2d: input x [N, C, H, W] must have rank 4, got shape [3, 5, 5]");
        assertMessage(() -> Conv2d.apply(x, Tensor.constant(Gen.random(1, 4, 3, 3)), Conv2dSpec.DEFAULT),
                "conv2d: weight w [O, C, kh, kw] must have rank 4, got shape [4, 3, 3]");
        assertMessage(() -> Conv2d.apply(x, Tensor.constant(Gen.random(2, 4, 2, 3, 3)), Conv2dSpec.DEFAULT),
                "conv2d: input x [2, 3, 5, 5] has 3 channels but weight w [4, 2, 3, 3] [O, C, kh, kw] expects 2");
        assertMessage(() -> Conv2d.apply(x, Tensor.constant(Gen.random(2, 4, 3, 3, 3).castTo(DataType.FLOAT)), Conv2dSpec.DEFAULT),
                "conv2d: dtypes differ: DOUBLE [2, 3, 5, 5] and FLOAT [4, 3, 3, 3]");
        assertMessage(() -> Conv2d.apply(x, w, Tensor.constant(Gen.random(3, 3)), Conv2dSpec.DEFAULT),
                "conv2d: bias must have shape [4] (one per output channel of weight w [4, 3, 3, 3]), got [3]");
        assertMessage(() -> Conv2d.apply(x, w, Tensor.constant(Gen.random(3, 4).castTo(DataType.FLOAT)), Conv2dSpec.DEFAULT),
                "conv2d: dtypes differ");
        assertMessage(() -> Conv2d.apply(x, Tensor.constant(Gen.random(2, 4, 3, 6, 2)), Conv2dSpec.DEFAULT),
                "conv2d: output would be empty: input 5 x 5 (padded 5 x 5) is smaller than the kernel 6 x 2 (dilated 6 x 2)"
                        + " with stride (1, 1), padding (0, 0), dilation (1, 1) (input x [2, 3, 5, 5], weight w [4, 3, 6, 2])");
        assertMessage(() -> Conv2d.apply(x, w, new Conv2dSpec(1, 1, 0, 0, 3, 1)), "conv2d: output would be empty");
    }

    @Test
    void batchInvariantCotangentKeepsTheBatchAxisAtOne() {
        long n = 3;
        Conv2dSpec spec = new Conv2dSpec(2, 1, 1, 1, 1, 2);
        Tensor x = Tensor.variable(Gen.random(6, n, 2, 5, 6));
        Tensor w = Tensor.variable(Gen.random(7, 4, 2, 3, 2));
        Tensor y = Conv2d.apply(x, w, spec);                                // [3, 4, 3, 4]
        long[] ys = y.shape();
        INDArray seed = Gen.random(8, 2, 1, ys[1], ys[2], ys[3]);             // [K=2, 1, O, oh, ow]
        List<Tensor> inv = Backprop.pullback(List.of(y), List.of(Tensor.constant(seed)), List.of(x, w), Backprop.Options.DEFAULT);
        assertArrayEquals(new long[] {2, 1, 2, 5, 6}, inv.get(0).shape(), "gx stays batch-invariant");
        INDArray full = seed.broadcast(2, n, ys[1], ys[2], ys[3]).dup('c');
        List<Tensor> ref = Backprop.pullback(List.of(y), List.of(Tensor.constant(full)), List.of(x, w), Backprop.Options.DEFAULT);
        for (int i = 0; i < n; i++) {
            Close.assertClose("gx sample " + i, ref.get(0).value().get(NDArrayIndex.all(), NDArrayIndex.point(i)),
                    inv.get(0).value().get(NDArrayIndex.all(), NDArrayIndex.point(0)), 1e-12, 1e-12);
        }
        Close.assertClose("gw", ref.get(1).value(), inv.get(1).value(), 1e-12, 1e-12);
        // constant along the last axes (O and ow) too
        INDArray seed2 = Gen.random(9, 2, n, 1, ys[2], 1);
        List<Tensor> g2 = Backprop.pullback(List.of(y), List.of(Tensor.constant(seed2)), List.of(x, w), Backprop.Options.DEFAULT);
        INDArray full2 = seed2.broadcast(2, n, ys[1], ys[2], ys[3]).dup('c');
        List<Tensor> ref2 = Backprop.pullback(List.of(y), List.of(Tensor.constant(full2)), List.of(x, w), Backprop.Options.DEFAULT);
        Close.assertClose("gx (constant along O, ow)", ref2.get(0).value(), g2.get(0).value(), 1e-12, 1e-12);
        Close.assertClose("gw (constant along O, ow)", ref2.get(1).value(), g2.get(1).value(), 1e-12, 1e-12);
    }

    @Test
    void perSampleWeightAndBiasCotangentsMatchOnePassPerSample() {
        int n = 4;
        Conv2dSpec spec = new Conv2dSpec(2, 1, 1, 0, 1, 2);
        INDArray xs = Gen.random(21, n, 2, 5, 6);
        INDArray ws = Gen.random(22, 3, 2, 2, 3);
        INDArray bs = Gen.random(23, 3);
        Tensor x = Tensor.variable(xs);
        Tensor w = Tensor.variable(ws);
        Tensor b = Tensor.variable(bs);
        Tensor loss = Conv2d.apply(x, w, b, spec).tanh().sum(1, 2, 3);      // [N], per-sample losses
        Tensor seed = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, n));
        List<Tensor> g = Backprop.pullback(List.of(loss), List.of(seed), List.of(w, b),
                Backprop.Options.perSample(Set.of(x), n));
        assertArrayEquals(new long[] {1, n, 3, 2, 2, 3}, g.get(0).shape());
        assertArrayEquals(new long[] {1, n, 3}, g.get(1).shape());
        for (int i = 0; i < n; i++) {
            Tensor xi = Tensor.variable(xs.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c'));
            Tensor wi = Tensor.variable(ws);
            Tensor bi = Tensor.variable(bs);
            Tensor li = Conv2d.apply(xi, wi, bi, spec).tanh().sum(1, 2, 3);   // [1]
            List<Tensor> gi = Backprop.pullback(List.of(li), List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1))),
                    List.of(wi, bi), Backprop.Options.DEFAULT);
            Close.assertClose("per-sample gw, sample " + i, gi.get(0).value(),
                    g.get(0).value().get(NDArrayIndex.point(0), NDArrayIndex.point(i)), 1e-12, 1e-10);
            Close.assertClose("per-sample gb, sample " + i, gi.get(1).value(),
                    g.get(1).value().get(NDArrayIndex.point(0), NDArrayIndex.point(i)), 1e-12, 1e-10);
        }
    }

    @Test
    void perSampleWithBatchInvariantSeedAndSeveralRows() {
        // per-sample Jacobian rows: seed [K, 1, O, oh, ow] (the same basis rows for every sample)
        int n = 3;
        Conv2dSpec spec = new Conv2dSpec(1, 1, 1, 1, 1, 1);
        INDArray xs = Gen.random(31, n, 2, 3, 4);
        INDArray ws = Gen.random(32, 2, 2, 2, 2);
        Tensor x = Tensor.variable(xs);
        Tensor w = Tensor.variable(ws);
        Tensor y = Conv2d.apply(x, w, spec);                                    // [3, 2, 4, 5]
        long[] ys = y.shape();
        INDArray seed = Gen.random(33, 2, 1, ys[1], ys[2], ys[3]);
        Tensor gw = Backprop.pullback(List.of(y), List.of(Tensor.constant(seed)), List.of(w),
                Backprop.Options.perSample(Set.of(x), n)).get(0);
        assertArrayEquals(new long[] {2, n, 2, 2, 2, 2}, gw.shape());
        for (int i = 0; i < n; i++) {
            Tensor xi = Tensor.constant(xs.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c'));
            Tensor wi = Tensor.variable(ws);
            Tensor yi = Conv2d.apply(xi, wi, spec);
            Tensor gi = Backprop.pullback(List.of(yi), List.of(Tensor.constant(seed)), List.of(wi), Backprop.Options.DEFAULT).get(0);
            Close.assertClose("per-sample rows, sample " + i, gi.value(),
                    gw.value().get(NDArrayIndex.all(), NDArrayIndex.point(i)), 1e-12, 1e-10);
        }
    }

    @Test
    void perSampleRefusesABatchedWeightWithAnUnbatchedInput() {
        Tensor x = Tensor.variable(Gen.random(41, 1, 1, 3, 3));
        Tensor w = Tensor.variable(Gen.random(42, 2, 1, 2, 2));
        Tensor y = Conv2d.apply(x, w, Conv2dSpec.DEFAULT);   // batched through w only: [1, 2, 2, 2], "batch" size 1
        AutodiffException e = assertThrows(AutodiffException.class, () -> Backprop.pullback(List.of(y),
                List.of(Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 1, 2, 2, 2))), List.of(x), Backprop.Options.perSample(Set.of(w), 1)));
        assertTrue(e.getMessage().contains("conv2d: per-sample mode"), e.getMessage());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable ex, String expected) {
        AutodiffException e = assertThrows(AutodiffException.class, ex);
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }
}
