package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.engine.TangentSweep;
import dev.jacflux.autodiff.testing.Close;
import dev.jacflux.autodiff.testing.Gen;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** MaxPool2d and AvgPool2d: forward values against plain loops, tie-breaking, cotangent shapes, errors. */
class PoolTest {

    static Stream<Pool2dSpec> specs() {
        return Stream.of(
                Pool2dSpec.of(new int[] {2, 2}),
                Pool2dSpec.of(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}),
                Pool2dSpec.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}),
                Pool2dSpec.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2}),
                Pool2dSpec.of(new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1}, new int[] {2, 1}),
                Pool2dSpec.of(new int[] {1, 1}));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void forwardMatchesPlainLoops(Pool2dSpec spec) {
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = Gen.random(51, 2, 3, 7, 6).castTo(dt);
            Tensor mx = MaxPool2d.apply(Tensor.constant(x), spec);
            Tensor av = AvgPool2d.apply(Tensor.constant(x), spec);
            assertEquals(dt, mx.dtype());
            assertEquals(dt, av.dtype());
            double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-6;
            Close.assertClose("max_pool2d " + spec + " " + dt, ConvReference.pool(x, spec, true), mx.value(), tol, tol);
            Close.assertClose("avg_pool2d " + spec + " " + dt, ConvReference.pool(x, spec, false), av.value(), tol, tol);
        }
    }

    @Test
    void maxPoolOfNegativeInputsIgnoresThePadding() {
        // all inputs negative: a zero padding would win; PyTorch pads with -inf
        INDArray x = Gen.range(-2, -1).sample(new java.util.Random(3), new long[] {1, 2, 4, 4});
        Pool2dSpec spec = Pool2dSpec.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
        Tensor y = MaxPool2d.apply(Tensor.constant(x), spec);
        Close.assertClose("negative inputs", ConvReference.pool(x, spec, true), y.value(), 0, 0);
        assertTrue(y.value().maxNumber().doubleValue() < 0);
    }

    @Test
    void tiesRouteToTheFirstPositionOfTheWindow() {
        // window 0: all equal -> (0, 0); window 1: max 2 at (0, 1) and (1, 0) -> (0, 1)
        INDArray xs = Nd4j.create(new double[] {1, 1, 0, 2, 1, 1, 2, 0}, new long[] {1, 1, 2, 4}, DataType.DOUBLE);
        Tensor x = Tensor.variable(xs);
        Tensor y = MaxPool2d.apply(x, Pool2dSpec.of(new int[] {2, 2}));
        Close.assertClose("max", Nd4j.create(new double[] {1, 2}, new long[] {1, 1, 1, 2}, DataType.DOUBLE), y.value(), 0, 0);
        Tensor gx = Backprop.pullback(List.of(y), List.of(Tensor.constant(Nd4j.create(new double[] {3, 5}, new long[] {1, 1, 1, 2}, DataType.DOUBLE))),
                List.of(x), Backprop.Options.DEFAULT).get(0);
        INDArray expected = Nd4j.create(new double[] {3, 0, 0, 5, 0, 0, 0, 0}, new long[] {1, 1, 2, 4}, DataType.DOUBLE);
        Close.assertClose("tie-breaking", expected, gx.value(), 0, 0);
    }

    @Test
    void nanInAWindowPropagatesAndTakesTheCotangent() {
        INDArray xs = Nd4j.create(new double[] {1, Double.NaN, 0, 2, 4, 3, 2, 0}, new long[] {1, 1, 2, 4}, DataType.DOUBLE);
        Tensor x = Tensor.variable(xs);
        Tensor y = MaxPool2d.apply(x, Pool2dSpec.of(new int[] {2, 2}));
        assertTrue(Double.isNaN(y.value().getDouble(0, 0, 0, 0)), "window with NaN: " + y.value());
        assertEquals(2.0, y.value().getDouble(0, 0, 0, 1));
        Tensor gx = Backprop.pullback(List.of(y), List.of(Tensor.constant(Nd4j.create(new double[] {3, 5}, new long[] {1, 1, 1, 2}, DataType.DOUBLE))),
                List.of(x), Backprop.Options.DEFAULT).get(0);
        Close.assertClose("NaN routing", Nd4j.create(new double[] {0, 3, 0, 5, 0, 0, 0, 0}, new long[] {1, 1, 2, 4}, DataType.DOUBLE), gx.value(), 0, 0);
    }

    @Test
    void tiesOnALargerInputFollowTheFirstMaxRule() {
        // quantised values give many ties over overlapping windows; reference: first strict max in row-major order
        java.util.Random rnd = new java.util.Random(7);
        INDArray xs = Gen.fill(rnd, new long[] {4, 8, 12, 12}, () -> rnd.nextInt(3));
        Pool2dSpec spec = Pool2dSpec.of(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1});
        Tensor x = Tensor.variable(xs);
        Tensor y = MaxPool2d.apply(x, spec);
        INDArray g = Gen.random(8, y.shape());
        Tensor gx = Backprop.pullback(List.of(y), List.of(Tensor.constant(g)), List.of(x), Backprop.Options.DEFAULT).get(0);
        Close.assertClose("tie routing", maxPoolGradReference(xs, g, spec), gx.value(), 1e-12, 1e-12);
    }

    private static INDArray maxPoolGradReference(INDArray x, INDArray g, Pool2dSpec s) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        int oh = (int) g.size(2), ow = (int) g.size(3);
        double[] xs = x.dup('c').data().asDouble();
        double[] gs = g.dup('c').data().asDouble();
        double[] out = new double[xs.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < oh; p++) {
                    for (int q = 0; q < ow; q++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int i = 0; i < s.kh(); i++) {
                            for (int j = 0; j < s.kw(); j++) {
                                int yy = p * s.sh() - s.ph() + i * s.dh();
                                int xx = q * s.sw() - s.pw() + j * s.dw();
                                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                    int idx = ((b * c + ch) * h + yy) * w + xx;
                                    if (xs[idx] > best) {
                                        best = xs[idx];
                                        at = idx;
                                    }
                                }
                            }
                        }
                        out[at] += gs[((b * c + ch) * oh + p) * ow + q];
                    }
                }
            }
        }
        return Nd4j.create(out, x.shape(), DataType.DOUBLE);
    }

    @Test
    void avgPoolKeepsABatchInvariantCotangentAndMaxPoolSpreadsIt() {
        Pool2dSpec spec = Pool2dSpec.of(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1});
        INDArray xs = Gen.random(61, 3, 2, 5, 6);
        Tensor x = Tensor.variable(xs);
        Tensor av = AvgPool2d.apply(x, spec);
        Tensor mx = MaxPool2d.apply(x, spec);
        long[] ys = av.shape();
        INDArray seed = Gen.random(62, 2, 1, ys[1], ys[2], ys[3]);
        INDArray full = seed.broadcast(2, ys[0], ys[1], ys[2], ys[3]).dup('c');
        Tensor gAvg = Backprop.pullback(List.of(av), List.of(Tensor.constant(seed)), List.of(x), Backprop.Options.DEFAULT).get(0);
        assertArrayEquals(new long[] {2, 1, 2, 5, 6}, gAvg.shape());
        Tensor gAvgFull = Backprop.pullback(List.of(av), List.of(Tensor.constant(full)), List.of(x), Backprop.Options.DEFAULT).get(0);
        for (int i = 0; i < ys[0]; i++) {
            Close.assertClose("avg gx sample " + i, gAvgFull.value().get(NDArrayIndex.all(), NDArrayIndex.point(i)),
                    gAvg.value().get(NDArrayIndex.all(), NDArrayIndex.point(0)), 1e-12, 1e-12);
        }
        Tensor gMax = Backprop.pullback(List.of(mx), List.of(Tensor.constant(seed)), List.of(x), Backprop.Options.DEFAULT).get(0);
        Tensor gMaxFull = Backprop.pullback(List.of(mx), List.of(Tensor.constant(full)), List.of(x), Backprop.Options.DEFAULT).get(0);
        Close.assertClose("max gx from a batch-invariant seed", gMaxFull.value(), gMax.value(), 1e-12, 1e-12);
    }

    @Test
    void maxPoolJvpPicksTheTangentAtTheArgmax() {
        Pool2dSpec spec = Pool2dSpec.of(new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1}, new int[] {2, 1});
        INDArray xs = Gen.random(71, 2, 2, 6, 7);
        Tensor x = Tensor.variable(xs);
        Tensor y = MaxPool2d.apply(x, spec);
        INDArray t = Gen.random(72, 3, 2, 2, 6, 7);
        Tensor ty = TangentSweep.pushforward(List.of(y), List.of(x), List.of(Tensor.constant(t)), false).get(0);
        // reference: the VJP reference read as a matrix, <e_out, J t> = <J^T e_out, t> per sample of the lead axis
        for (int k = 0; k < 3; k++) {
            INDArray tk = t.get(NDArrayIndex.point(k)).dup('c');
            INDArray shifted = ConvReference.pool(xs.add(tk.mul(1e-7)), spec, true).sub(ConvReference.pool(xs, spec, true)).div(1e-7);
            Close.assertClose("max-pool jvp row " + k, shifted, ty.value().get(NDArrayIndex.point(k)), 1e-6, 1e-5);
        }
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Pool2dSpec k2 = Pool2dSpec.of(new int[] {2, 2});
        Tensor x3 = Tensor.constant(Gen.random(1, 2, 4, 4));
        assertMessage(() -> MaxPool2d.apply(x3, k2), "max_pool2d: input x [N, C, H, W] must have rank 4, got shape [2, 4, 4]");
        assertMessage(() -> AvgPool2d.apply(x3, k2), "avg_pool2d: input x [N, C, H, W] must have rank 4, got shape [2, 4, 4]");
        Tensor small = Tensor.constant(Gen.random(1, 1, 1, 1, 3));
        assertMessage(() -> MaxPool2d.apply(small, k2), "max_pool2d: output would be empty: input 1 x 3");
        assertMessage(() -> AvgPool2d.apply(small, k2), "avg_pool2d: output would be empty: input 1 x 3");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable ex, String expected) {
        AutodiffException e = assertThrows(AutodiffException.class, ex);
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }
}
