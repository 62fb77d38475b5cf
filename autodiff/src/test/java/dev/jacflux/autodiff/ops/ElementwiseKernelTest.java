package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The branch-free ReLU mask is exactly {@code x > 0}, special values included, and its product matches the plain one. */
class ElementwiseKernelTest {
    private static final float[] FLOATS = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xffc00000),
        Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xff800001), Float.intBitsToFloat(0x7fffffff)};

    @Test
    void floatMaskIsGreaterThanZero() {
        for (float x : FLOATS) {
            assertEquals(x > 0f ? 1f : 0f, ElementwiseKernel.positiveOne(Float.floatToRawIntBits(x)), 0f, "x = " + x);
        }
        Random r = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            int bits = r.nextInt();
            float x = Float.intBitsToFloat(bits);
            assertEquals(x > 0f ? 1f : 0f, ElementwiseKernel.positiveOne(bits), 0f, "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void doubleMaskIsGreaterThanZero() {
        double[] xs = {0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0xfff8000000000000L),
            Double.longBitsToDouble(0x7ff0000000000001L), Double.longBitsToDouble(0x7fffffffffffffffL)};
        for (double x : xs) {
            assertEquals(x > 0.0 ? 1.0 : 0.0, ElementwiseKernel.positiveOne(Double.doubleToRawLongBits(x)), 0.0, "x = " + x);
        }
        Random r = new Random(4);
        for (int i = 0; i < 100_000; i++) {
            long bits = r.nextLong();
            double x = Double.longBitsToDouble(bits);
            assertEquals(x > 0.0 ? 1.0 : 0.0, ElementwiseKernel.positiveOne(bits), 0.0, "bits " + Long.toHexString(bits));
        }
    }

    @Test
    void timesPositiveMatchesTheMaskedProduct() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = Nd4j.randn(3L, 5).castTo(dt);
            x.putScalar(0, 0.0);
            x.putScalar(1, Double.NaN);
            x.putScalar(2, Double.POSITIVE_INFINITY);
            INDArray t = Nd4j.randn(4L, 3, 5).castTo(dt);
            t.putScalar(3, Double.NaN);
            INDArray out = Nd4j.createUninitialized(dt, 4, 3, 5);
            ElementwiseKernel.timesPositive(t, x, out);
            for (int l = 0; l < 4; l++) {
                for (int i = 0; i < 15; i++) {
                    double xi = x.getDouble(i);
                    double expect = t.getDouble(l * 15 + i) * (xi > 0 ? 1.0 : 0.0);
                    assertEquals(expect, out.getDouble(l * 15 + i), 0.0, dt + " l=" + l + " i=" + i);
                }
            }
        }
    }

    @Test
    void timesPositiveOverManyBlocksMatchesBitForBitAcrossPieces() {
        // float32 with several blocks goes piece by piece through heap arrays: more than two pieces, the last one short
        int n = 2 * ElementwiseKernel.MASK_PIECE + 37;
        Random r = new Random(11);
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i % 97 < FLOATS.length ? FLOATS[i % 97] : (float) r.nextGaussian();
        }
        float[] ts = new float[3 * n];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = i % 89 < FLOATS.length ? FLOATS[(i + 5) % FLOATS.length] : (float) r.nextGaussian();
        }
        INDArray x = Nd4j.createFromArray(xs);
        INDArray t = Nd4j.createFromArray(ts).reshape(3, n);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 3, n);
        ElementwiseKernel.timesPositive(t, x, out);
        INDArray inPlace = t.dup();
        ElementwiseKernel.timesPositive(inPlace, x, inPlace);
        for (int l = 0; l < 3; l++) {
            for (int i = 0; i < n; i++) {
                float expect = ts[l * n + i] * (xs[i] > 0f ? 1f : 0f);
                assertEquals(Float.floatToRawIntBits(expect), Float.floatToRawIntBits(out.getFloat((long) l, (long) i)), "l=" + l + " i=" + i);
                assertEquals(Float.floatToRawIntBits(expect), Float.floatToRawIntBits(inPlace.getFloat((long) l, (long) i)), "in place l=" + l + " i=" + i);
            }
        }
    }

    @Test
    void alongAxesLoopMatchesTheBroadcastOps() {
        long[][] fulls = {{3, 4, 5, 6}, {2, 3, 16}, {5, 40}, {2, 3, 4, 17}};
        long[][] smalls = {{4, 1, 1}, {3, 1}, {5, 1}, {2, 3, 1, 1}};
        int[][] dims = {{1}, {1}, {0}, {0, 1}};
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int c = 0; c < fulls.length; c++) {
                INDArray full = Nd4j.randn(fulls[c]).castTo(dt);
                INDArray small = Nd4j.rand(smalls[c]).addi(0.5).castTo(dt);
                long[] sizes = new long[dims[c].length];
                for (int i = 0; i < sizes.length; i++) {
                    sizes[i] = fulls[c][dims[c][i]];
                }
                for (Elementwise.Binary op : Elementwise.Binary.values()) {
                    for (boolean smallFirst : new boolean[] {false, true}) {
                        INDArray a = smallFirst ? small : full;
                        INDArray b = smallFirst ? full : small;
                        INDArray expected = op.apply(Elementwise.expand(a, fulls[c]), Elementwise.expand(b, fulls[c]));
                        INDArray out = Nd4j.createUninitialized(dt, fulls[c]);
                        boolean looped = ElementwiseKernel.along(full, small.reshape('c', sizes), out, smallFirst, op, dims[c]);
                        String what = dt + " " + java.util.Arrays.toString(fulls[c]) + " " + op + (smallFirst ? " small first" : "");
                        assertEquals(fulls[c][fulls[c].length - 1] * (c == 0 ? 5 : 1) >= ElementwiseKernel.MIN_RUN, looped, what);
                        if (looped) {
                            assertEquals(expected, out, what);
                        }
                        assertEquals(expected, Elementwise.broadcastBoth(a, b, fulls[c], op), what + " (broadcastBoth)");
                    }
                }
            }
        }
    }

    @Test
    void reluMatchesNd4jBitForBit() {
        Random r = new Random(5);
        float[] fx = new float[20_000];
        double[] dx = new double[20_000];
        for (int i = 0; i < fx.length; i++) {
            fx[i] = i < FLOATS.length ? FLOATS[i] : i % 3 == 0 ? Float.intBitsToFloat(r.nextInt()) : (float) r.nextGaussian();
            dx[i] = i < FLOATS.length ? FLOATS[i] : i % 3 == 0 ? Double.longBitsToDouble(r.nextLong()) : r.nextGaussian();
        }
        dx[FLOATS.length] = Double.longBitsToDouble(0xfff8000000000000L);
        dx[FLOATS.length + 1] = -Double.MIN_VALUE;
        for (INDArray x : new INDArray[] {Nd4j.createFromArray(fx), Nd4j.createFromArray(dx)}) {
            INDArray expected = org.nd4j.linalg.ops.transforms.Transforms.relu(x, true);
            INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
            ElementwiseKernel.relu(x, out);
            for (int i = 0; i < fx.length; i++) {
                double xi = x.getDouble(i);
                double e = expected.getDouble(i);
                double o = out.getDouble(i);
                if (Double.isNaN(e)) {
                    assertEquals(true, Double.isNaN(o), x.dataType() + " x = " + xi);
                } else {
                    assertEquals(Double.doubleToRawLongBits(e), Double.doubleToRawLongBits(o), x.dataType() + " x = " + xi + ": " + e + " vs " + o);
                }
            }
        }
    }
}
