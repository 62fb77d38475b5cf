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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Forward values (against plain loops) and error messages of Slice, SliceScatter, Concat, Stack, Softmax, LogSoftmax. */
class ShapeOpsTest {

    private static void assertMessage(Executable call, String... parts) {
        AutodiffException e = assertThrows(AutodiffException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    private static Tensor t(long seed, long... shape) {
        return Tensor.constant(Gen.random(seed, shape));
    }

    // ------------------------------------------------------------------ slice

    @Test
    void sliceWithStepMatchesLoop() {
        INDArray x = Gen.random(1, 2, 7, 3);
        INDArray y = Slice.apply(Tensor.constant(x), 1, 1, 7, 2).value();
        assertArrayEquals(new long[] {2, 3, 3}, y.shape());
        for (int a = 0; a < 2; a++) {
            for (int j = 0; j < 3; j++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(x.getDouble(a, 1 + 2 * j, c), y.getDouble(a, j, c), 0.0);
                }
            }
        }
    }

    @Test
    void sliceNegativeAxisAndClippedEnd() {
        INDArray x = Gen.random(2, 3, 5);
        Tensor y = Tensor.constant(x).slice(-1, 3, 1000);
        assertArrayEquals(new long[] {3, 2}, y.shape());
        for (int r = 0; r < 3; r++) {
            assertEquals(x.getDouble(r, 3), y.value().getDouble(r, 0), 0.0);
            assertEquals(x.getDouble(r, 4), y.value().getDouble(r, 1), 0.0);
        }
        Slice op = (Slice) Slice.apply(Tensor.variable(x), -1, 3, 1000, 1).op();
        assertEquals(1, op.axis());
        assertEquals(5, op.end());
    }

    @Test
    void sliceKeepsDtypeAndDoesNotAliasInput() {
        INDArray x = Gen.random(3, 4, 4).castTo(DataType.FLOAT);
        INDArray before = x.dup();
        INDArray y = Tensor.constant(x).slice(0, 0, 4, 3).value();
        assertEquals(DataType.FLOAT, y.dataType());
        y.addi(100);
        assertEquals(before, x);
    }

    @Test
    void sliceErrors() {
        Tensor x = t(4, 3, 5);
        assertMessage(() -> x.slice(1, 0, 5, 0), "slice", "[3, 5]", "axis 1", "0:5:0", "step must be >= 1");
        assertMessage(() -> x.slice(1, 3, 3), "slice", "[3, 5]", "axis 1", "3:3:1", "empty");
        assertMessage(() -> x.slice(1, 7, 9), "slice", "[3, 5]", "axis 1", "7:9:1", "empty");
        assertMessage(() -> x.slice(0, -1, 2), "slice", "[3, 5]", "axis 0", "-1:2:1", ">= 0");
        assertMessage(() -> x.slice(2, 0, 1), "slice", "[3, 5]", "axis 2", "rank 2");
        assertMessage(() -> x.slice(-3, 0, 1), "slice", "[3, 5]", "axis -3");
        assertMessage(() -> Tensor.scalar(1, DataType.DOUBLE).slice(0, 0, 1), "slice", "scalar");
    }

    @Test
    void sliceScatterPlacesValuesAmongZeros() {
        INDArray g = Gen.random(5, 2, 2);
        INDArray z = SliceScatter.apply(Tensor.constant(g), new long[] {2, 5}, -1, 1, 3).value();
        double[][] expected = {
            {0, g.getDouble(0, 0), 0, 0, g.getDouble(0, 1)},
            {0, g.getDouble(1, 0), 0, 0, g.getDouble(1, 1)}};
        assertEquals(Nd4j.createFromArray(expected), z);
    }

    @Test
    void sliceScatterErrors() {
        Tensor g = t(6, 2, 3);
        assertMessage(() -> SliceScatter.apply(g, new long[] {2, 5}, 1, 1, 2), "slice_scatter", "[2, 3]", "[2, 5]", "do not fit");
        assertMessage(() -> SliceScatter.apply(g, new long[] {3, 6}, 1, 0, 2), "slice_scatter", "[2, 3]", "[3, 6]", "axis 0");
        assertMessage(() -> SliceScatter.apply(g, new long[] {2, 6}, 1, 0, 0), "slice_scatter", "step");
        assertMessage(() -> SliceScatter.apply(g, new long[] {2, 3, 1}, 1, 0, 1), "slice_scatter", "same rank");
    }

    @Test
    void sliceGradientOfBatchInvariantCotangentStaysInvariantOffTheAxis() {
        Tensor x = Tensor.variable(Gen.random(7, 4, 6));
        Tensor y = x.slice(1, 1, 6, 2);                                     // [4, 3]
        Tensor seed = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 2, 1, 3));  // constant over the batch
        Tensor gx = Backprop.pullback(List.of(y), List.of(seed), List.of(x), Backprop.Options.DEFAULT).get(0);
        assertArrayEquals(new long[] {2, 1, 6}, gx.shape());
        assertEquals(Nd4j.createFromArray(0.0, 1, 0, 1, 0, 1), gx.value().get(
                org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all()));
    }

    // ------------------------------------------------------------------ concat and stack

    @Test
    void concatThreePartsAlongAxis1MatchesLoop() {
        INDArray a = Gen.random(8, 2, 1, 2);
        INDArray b = Gen.random(9, 2, 2, 2);
        INDArray c = Gen.random(10, 2, 3, 2);
        INDArray y = Concat.apply(1, List.of(Tensor.constant(a), Tensor.constant(b), Tensor.constant(c))).value();
        assertArrayEquals(new long[] {2, 6, 2}, y.shape());
        INDArray[] parts = {a, b, c};
        for (int i = 0; i < 2; i++) {
            int j = 0;
            for (INDArray p : parts) {
                for (int k = 0; k < p.size(1); k++, j++) {
                    for (int l = 0; l < 2; l++) {
                        assertEquals(p.getDouble(i, k, l), y.getDouble(i, j, l), 0.0);
                    }
                }
            }
        }
    }

    @Test
    void concatOpRecordsItsParts() {
        Tensor a = Tensor.variable(Gen.random(11, 2, 3));
        Tensor b = Tensor.constant(Gen.random(12, 1, 3));
        Tensor y = Tensor.concat(-2, List.of(a, b));
        Concat op = (Concat) y.op();
        assertEquals(List.of(a, b), op.inputs());
        assertEquals(0, op.axis());
        assertEquals("concat", op.name());
    }

    @Test
    void concatErrors() {
        Tensor a = t(13, 2, 3);
        assertMessage(() -> Concat.apply(0, List.of()), "concat", "at least one");
        assertMessage(() -> Concat.apply(0, List.of(a, t(14, 2, 4))), "concat", "axis 0", "part 1", "[2, 4]", "[2, 3]");
        assertMessage(() -> Concat.apply(1, List.of(a, t(15, 2, 3, 1))), "concat", "part 1", "[2, 3, 1]", "same rank");
        assertMessage(() -> Concat.apply(2, List.of(a, a)), "concat", "[2, 3]", "axis 2");
        assertMessage(() -> Concat.apply(0, List.of(a, Tensor.constant(Gen.random(16, 2, 3).castTo(DataType.FLOAT)))),
                "concat", "dtypes differ", "FLOAT");
        assertMessage(() -> Concat.apply(0, List.of(Tensor.scalar(1, DataType.DOUBLE))), "concat", "scalar");
    }

    @Test
    void stackAlongMiddleAxisMatchesLoop() {
        INDArray a = Gen.random(17, 2, 3);
        INDArray b = Gen.random(18, 2, 3);
        INDArray y = Stack.apply(1, List.of(Tensor.constant(a), Tensor.constant(b))).value();
        assertArrayEquals(new long[] {2, 2, 3}, y.shape());
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 3; k++) {
                assertEquals(a.getDouble(i, k), y.getDouble(i, 0, k), 0.0);
                assertEquals(b.getDouble(i, k), y.getDouble(i, 1, k), 0.0);
            }
        }
        assertArrayEquals(new long[] {2, 3, 2}, Tensor.stack(-1, List.of(Tensor.constant(a), Tensor.constant(b))).shape());
        assertArrayEquals(new long[] {3}, Tensor.stack(0, List.of(Tensor.scalar(1, DataType.DOUBLE),
                Tensor.scalar(2, DataType.DOUBLE), Tensor.scalar(3, DataType.DOUBLE))).shape());
    }

    @Test
    void stackErrors() {
        Tensor a = t(19, 2, 3);
        assertMessage(() -> Stack.apply(0, List.of()), "stack", "at least one");
        assertMessage(() -> Stack.apply(0, List.of(a, t(20, 3, 2))), "stack", "part 1", "[3, 2]", "[2, 3]", "same shape");
        assertMessage(() -> Stack.apply(3, List.of(a, a)), "stack", "[2, 3]", "axis 3", "rank 3");
    }

    // ------------------------------------------------------------------ softmax and log-softmax

    private static double[] softmaxRef(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            m = Math.max(m, d);
        }
        double s = 0;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.exp(v[i] - m);
            s += out[i];
        }
        for (int i = 0; i < v.length; i++) {
            out[i] /= s;
        }
        return out;
    }

    @Test
    void softmaxRowsSumToOneAndMatchLoop() {
        INDArray x = Gen.range(-3, 3).sample(new java.util.Random(21), new long[] {4, 5});
        INDArray y = Tensor.constant(x).softmax(-1).value();
        for (int r = 0; r < 4; r++) {
            double[] ref = softmaxRef(x.getRow(r).toDoubleVector());
            double sum = 0;
            for (int k = 0; k < 5; k++) {
                assertEquals(ref[k], y.getDouble(r, k), 1e-12);
                sum += y.getDouble(r, k);
            }
            assertEquals(1.0, sum, 1e-12);
        }
    }

    @Test
    void softmaxAndLogSoftmaxAlongAxis0OfRank3MatchLoop() {
        INDArray x = Gen.range(-3, 3).sample(new java.util.Random(22), new long[] {3, 2, 4});
        INDArray y = Softmax.apply(Tensor.constant(x), 0).value();
        INDArray ly = LogSoftmax.apply(Tensor.constant(x), -3).value();
        for (int j = 0; j < 2; j++) {
            for (int k = 0; k < 4; k++) {
                double[] col = {x.getDouble(0, j, k), x.getDouble(1, j, k), x.getDouble(2, j, k)};
                double[] ref = softmaxRef(col);
                for (int i = 0; i < 3; i++) {
                    assertEquals(ref[i], y.getDouble(i, j, k), 1e-12);
                    assertEquals(Math.log(ref[i]), ly.getDouble(i, j, k), 1e-12);
                }
            }
        }
    }

    @Test
    void logSoftmaxIsStableForLargeFloat32Inputs() {
        INDArray x = Nd4j.createFromArray(new float[][] {{1000f, 999f, -1000f}, {-1000f, -1001f, -999f}});
        INDArray ly = Tensor.constant(x).logSoftmax(1).value();
        INDArray p = Tensor.constant(x).softmax(1).value();
        assertEquals(DataType.FLOAT, ly.dataType());
        double lse0 = 1000 + Math.log(1 + Math.exp(-1) + Math.exp(-2000));
        double lse1 = -999 + Math.log(1 + Math.exp(-1) + Math.exp(-2));
        double[][] expected = {{1000 - lse0, 999 - lse0, -1000 - lse0}, {-1000 - lse1, -1001 - lse1, -999 - lse1}};
        Close.assertClose("log_softmax float32 |x| = 1000", Nd4j.createFromArray(expected), ly, 1e-4, 1e-6);
        for (int r = 0; r < 2; r++) {
            assertEquals(1.0, p.getRow(r).sumNumber().doubleValue(), 1e-6);
            for (int k = 0; k < 3; k++) {
                assertTrue(Float.isFinite(ly.getFloat(r, k)) && Float.isFinite(p.getFloat(r, k)));
            }
        }
    }

    @Test
    void softmaxGradientOfOnesIsZero() {
        // sum_k softmax(x)_k = 1, so its gradient vanishes; checks the constant-along-axis cotangent path
        Tensor x = Tensor.variable(Gen.random(23, 3, 4));
        Tensor y = x.softmax(1);
        Tensor seed = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 1, 3, 1));
        Tensor gx = Backprop.pullback(List.of(y), List.of(seed), List.of(x), Backprop.Options.DEFAULT).get(0);
        Close.assertClose("d sum softmax", Nd4j.zeros(DataType.DOUBLE, 1, 3, 4), gx.value().broadcast(1, 3, 4), 1e-12, 0);
    }

    @Test
    void softmaxErrors() {
        Tensor x = t(24, 2, 3);
        assertMessage(() -> x.softmax(2), "softmax", "[2, 3]", "axis 2", "rank 2");
        assertMessage(() -> x.logSoftmax(-3), "log_softmax", "[2, 3]", "axis -3", "rank 2");
        assertMessage(() -> Tensor.scalar(1, DataType.DOUBLE).softmax(0), "softmax", "[]", "rank 0");
    }
}
