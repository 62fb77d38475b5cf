package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float32 2x2 max pool (integer keys, no float comparisons) against a plain loop: the first
 * strict maximum in row-major order, the first NaN of a window with NaNs, and {@code -0 == +0}.
 */
class PoolKernelFloatTest {
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};

    @Test
    void matchesTheFirstMaximumRuleOnTiesAndSpecialValues() {
        Random r = new Random(11);
        int n = 3;
        int c = 4;
        int h = 10;
        int w = 12;
        float[] data = new float[n * c * h * w];
        for (int i = 0; i < data.length; i++) {
            int kind = r.nextInt(10);
            data[i] = kind < 4 ? SPECIAL[r.nextInt(SPECIAL.length)] : kind < 9 ? (r.nextInt(7) - 3) / 2f : Float.NaN;
        }
        INDArray x = Nd4j.create(data, new long[] {n, c, h, w}, DataType.FLOAT);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, c, h / 2, w / 2);
        int[] arg = new int[(int) out.length()];
        PoolKernel.maxForward(x, Pool2dSpec.of(new int[] {2, 2}), out, arg);
        int k = 0;
        for (int p = 0; p < n * c; p++) {
            int base = p * h * w;
            for (int i = 0; i < h / 2; i++) {
                for (int j = 0; j < w / 2; j++, k++) {
                    int[] offs = {2 * i * w + 2 * j, 2 * i * w + 2 * j + 1, (2 * i + 1) * w + 2 * j, (2 * i + 1) * w + 2 * j + 1};
                    int best = -1;
                    for (int o : offs) {
                        if (Float.isNaN(data[base + o])) {
                            best = o;
                            break;
                        }
                    }
                    if (best < 0) {
                        best = offs[0];
                        for (int o : offs) {
                            if (data[base + o] > data[base + best]) {
                                best = o;
                            }
                        }
                    }
                    assertEquals(best, arg[k], "window " + k);
                    assertEquals(Float.floatToRawIntBits(data[base + best]), Float.floatToRawIntBits(out.getFloat(k)), "value of window " + k);
                }
            }
        }
    }

    @Test
    void averageScatterOf2x2SpreadsAQuarterBitForBit() {
        // the float32 2x2 scatter writes each window row's two pixels in one store; odd sizes leave the last row and column zero
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE};
        Random r = new Random(17);
        for (int[] hw : new int[][] {{4, 6}, {5, 7}, {2, 2}}) {
            int h = hw[0];
            int w = hw[1];
            int oh = h / 2;
            int ow = w / 2;
            float[] gs = new float[2 * 3 * oh * ow];
            for (int i = 0; i < gs.length; i++) {
                gs[i] = i < special.length ? special[i] : (float) r.nextGaussian();
            }
            INDArray g = Nd4j.createFromArray(gs).reshape(2, 3, oh, ow);
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 2, 3, h, w).assign(5);
            PoolKernel.avgScatter(g, Pool2dSpec.of(new int[] {2, 2}), out);
            for (int p = 0; p < 6; p++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        boolean inside = y < 2 * oh && x < 2 * ow;
                        float expect = inside ? 0.25f * gs[(p * oh + y / 2) * ow + x / 2] : 0f;
                        float got = out.getFloat((long) p / 3, (long) p % 3, (long) y, (long) x);
                        assertEquals(Float.floatToRawIntBits(expect), Float.floatToRawIntBits(got), h + "x" + w + " plane " + p + " (" + y + ", " + x + ")");
                    }
                }
            }
        }
    }
}
