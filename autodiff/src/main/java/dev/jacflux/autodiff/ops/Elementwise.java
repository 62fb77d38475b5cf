package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

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

        /** {@code full op small} (or {@code small op full} when {@code smallFirst}) with {@code small} broadcast along {@code dims}. */
        INDArray along(INDArray full, INDArray small, INDArray out, boolean smallFirst, int[] dims) {
            return switch (this) {
                case ADD -> Broadcast.add(full, small, out, dims);
                case MUL -> Broadcast.mul(full, small, out, dims);
                case SUB -> smallFirst ? Broadcast.rsub(full, small, out, dims) : Broadcast.sub(full, small, out, dims);
                case DIV -> smallFirst ? Broadcast.rdiv(full, small, out, dims) : Broadcast.div(full, small, out, dims);
            };
        }
    }

    /**
     * {@code a op b} when one operand already has the output's shape and the other varies only along
     * some of its axes: a plain loop when those axes are consecutive and followed by runs of at
     * least {@link ElementwiseKernel#MIN_RUN} contiguous elements (a bias per channel,
     * {@link ElementwiseKernel#along}), otherwise ND4J's broadcast op along those axes into a fresh
     * output (measured 5-10x faster than its numpy-style broadcasting, e.g.
     * {@code [1000, 1000, 1] * [1000, 1]} 0.6 against 3.3 ms); {@code null} if the shapes do not have
     * that form.
     */
    private static INDArray alongAxes(INDArray a, INDArray b, long[] shape, Binary op) {
        boolean aFull = Arrays.equals(a.shape(), shape);
        boolean bFull = Arrays.equals(b.shape(), shape);
        if (aFull == bFull || shape.length == 0 || Shapes.numel(shape) == 0) {
            return null;
        }
        INDArray full = aFull ? a : b;
        INDArray small = aFull ? b : a;
        long[] padded = Shapes.padLeft(small.shape(), shape.length);
        int count = 0;
        for (int i = 0; i < shape.length; i++) {
            if (padded[i] != 1) {
                if (padded[i] != shape[i]) {
                    return null;
                }
                count++;
            }
        }
        if (count == 0 || count == shape.length) {
            return null;
        }
        int[] dims = new int[count];
        long[] sizes = new long[count];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (padded[i] != 1) {
                dims[k] = i;
                sizes[k++] = shape[i];
            }
        }
        INDArray out = Nd4j.createUninitialized(full.dataType(), shape);
        INDArray smallAlong = small.reshape('c', sizes);
        if (ElementwiseKernel.along(full, smallAlong, out, !aFull, op, dims)) {
            return out;
        }
        return op.along(full, smallAlong, out, !aFull, dims);
    }

    /** {@code a op b} broadcast to {@code shape} (already validated), as a fresh array. */
    public static INDArray broadcastBoth(INDArray a, INDArray b, long[] shape, Binary op) {
        INDArray r = null;
        try (NativeThreads.Scope wide = NativeThreads.wideElementwise(Shapes.numel(shape))) {
            if (a.dataType() == b.dataType()) {
                r = alongAxes(a, b, shape, op);
                if (r != null) {
                    return r;
                }
            }
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
