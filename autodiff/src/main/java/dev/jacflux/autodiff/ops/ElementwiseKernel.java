package dev.jacflux.autodiff.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * Elementwise first-order rules fused into one pass over dense memory ({@link NativeMemory}),
 * where ND4J would make a mask array and then broadcast it over the leading basis axes.
 *
 * <pre>{@code
 * ElementwiseKernel.timesPositive(g, x, out);   // out[l, i] = g[l, i] * (x[i] > 0 ? 1 : 0)
 * }</pre>
 */
final class ElementwiseKernel {
    private ElementwiseKernel() {
    }

    /**
     * {@code out[l, i] = t[l, i] * (x[i] > 0 ? 1 : 0)} for dense {@code t} and {@code out} of
     * {@code L * n} elements and dense {@code x} of {@code n}, one dtype (the ReLU derivative times a
     * cotangent or tangent with leading axes).
     */
    static void timesPositive(INDArray t, INDArray x, INDArray out) {
        long n = x.length();
        long blocks = t.length() / n;
        Unsafe u = NativeMemory.UNSAFE;
        long ta = NativeMemory.address(t);
        long xa = NativeMemory.address(x);
        long oa = NativeMemory.address(out);
        {
            if (x.dataType() == DataType.FLOAT) {
                for (long l = 0; l < blocks; l++) {
                    long tb = ta + l * n * 4;
                    long ob = oa + l * n * 4;
                    for (long i = 0; i < n; i++) {
                        float m = u.getFloat(xa + i * 4) > 0f ? 1f : 0f;
                        u.putFloat(ob + i * 4, u.getFloat(tb + i * 4) * m);
                    }
                }
            } else {
                for (long l = 0; l < blocks; l++) {
                    long tb = ta + l * n * 8;
                    long ob = oa + l * n * 8;
                    for (long i = 0; i < n; i++) {
                        double m = u.getDouble(xa + i * 8) > 0.0 ? 1.0 : 0.0;
                        u.putDouble(ob + i * 8, u.getDouble(tb + i * 8) * m);
                    }
                }
            }
        }
    }
}
