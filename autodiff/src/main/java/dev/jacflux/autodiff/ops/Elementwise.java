package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward kernels shared by the elementwise binary ops: numpy broadcasting on ND4J arrays, with a
 * fallback that materialises both operands where ND4J's own broadcasting does not give the numpy
 * shape.
 *
 * <pre>{@code
 * INDArray y = Elementwise.broadcastBoth(a, b, shape, Elementwise.Binary.MUL);
 * }</pre>
 */
public final class Elementwise {
    private Elementwise() {
    }

    /** The binary kernels. */
    public enum Binary {
        ADD, SUB, MUL, DIV;

        INDArray apply(INDArray a, INDArray b) {
            return switch (this) {
                case ADD -> a.add(b);
                case SUB -> a.sub(b);
                case MUL -> a.mul(b);
                case DIV -> a.div(b);
            };
        }
    }

    /** {@code a op b} broadcast to {@code shape} (already validated), as a fresh array. */
    public static INDArray broadcastBoth(INDArray a, INDArray b, long[] shape, Binary op) {
        INDArray r = null;
        try (NativeThreads.Scope wide = NativeThreads.wideElementwise(Shapes.numel(shape))) {
            try {
                r = op.apply(a, b);
            } catch (RuntimeException e) {
                // fall through to the explicit broadcast below
            }
            if (r == null || !Arrays.equals(r.shape(), shape)) {
                r = op.apply(expand(a, shape), expand(b, shape));
            }
        }
        return r;
    }

    /** {@code x} broadcast (materialised) to {@code shape}; {@code x} itself if already that shape. */
    public static INDArray expand(INDArray x, long[] shape) {
        if (Arrays.equals(x.shape(), shape)) {
            return x;
        }
        INDArray padded = x.rank() == shape.length ? x : x.reshape(Shapes.padLeft(x.shape(), shape.length));
        return padded.broadcast(shape);
    }
}
