package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.JvpContext;
import dev.jacflux.autodiff.Op;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * 2-D max pooling with PyTorch's semantics ({@code ceil_mode=False}, padding with {@code -inf},
 * optional dilation): {@code x [N, C, H, W]} gives {@code [N, C, oh, ow]}, each output the maximum
 * of its window.
 *
 * <p>The forward pass records, per output, the window-local index of the maximum (the first one in
 * row-major window order on ties, as PyTorch; a window holding a NaN gives NaN and its first NaN is
 * marked): {@link Argmax}. First-order rules use it directly ({@link PoolKernel}): the VJP
 * scatter-adds the cotangent to the recorded positions, the JVP gathers the tangent there. When the
 * pullback itself is recorded (second order), the same rules are written with differentiable ops
 * over a constant one-hot mask {@code [N, C, kh*kw, oh*ow]}: {@code Col2Im(mask * g)} and
 * {@code sum_window(mask * Im2Col(t))}. Both are linear in {@code g} / {@code t} with a constant
 * mask, so second derivatives are zero, as they are almost everywhere.
 *
 * <pre>{@code
 * Tensor y = MaxPool2d.apply(x, Pool2dSpec.of(new int[] {2, 2}));   // [8, 16, 32, 32] -> [8, 16, 16, 16]
 * }</pre>
 */
public record MaxPool2d(Tensor x, Pool2dSpec spec, Argmax argmax) implements Op {

    /**
     * The recorded maxima of one forward pass: per output {@code [N, C, oh, ow]} (row-major) the
     * offset {@code ir * W + iq} of its maximum within its input plane, and the one-hot mask over
     * windows built from them on first use (for recorded, second-order pullbacks).
     */
    public static final class Argmax {
        private final int[] index;
        private final long[] xShape;
        private final Pool2dSpec spec;
        private final DataType dtype;
        private volatile Tensor mask;

        Argmax(int[] index, long[] xShape, Pool2dSpec spec, DataType dtype, Tensor mask) {
            this.index = index;
            this.xShape = xShape;
            this.spec = spec;
            this.dtype = dtype;
            this.mask = mask;
        }

        /** Offsets within the input plane, or null when only the mask was recorded. */
        int[] index() {
            return index;
        }

        /** The constant one-hot mask {@code [N, C, kh*kw, oh*ow]} marking each window's maximum. */
        public Tensor mask() {
            Tensor m = mask;
            if (m == null) {
                long[] o = spec.outputSize("max_pool2d", xShape[2], xShape[3]);
                long p = o[0] * o[1];
                long kk = spec.windowSize();
                INDArray oneHot = Nd4j.zeros(dtype, xShape[0] * xShape[1] * kk * p);
                double[] ones = new double[index.length];
                java.util.Arrays.fill(ones, 1.0);
                long[] at = new long[index.length];
                for (int k = 0; k < index.length; k++) {
                    long plane = k / p;
                    long r = (k % p) / o[1];
                    long q = (k % p) % o[1];
                    long ir = index[k] / xShape[3];
                    long iq = index[k] % xShape[3];
                    long i = (ir - r * spec.sh() + spec.ph()) / spec.dh();
                    long j = (iq - q * spec.sw() + spec.pw()) / spec.dw();
                    at[k] = (plane * kk + i * spec.kw() + j) * p + k % p;
                }
                for (int k = 0; k < at.length; k++) {
                    oneHot.putScalar(at[k], 1.0);
                }
                m = Tensor.constant(oneHot.reshape('c', xShape[0], xShape[1], kk, p));
                mask = m;
            }
            return m;
        }
    }

    /** Forward pass: validates the input and spec, pools and records the maxima. */
    public static Tensor apply(Tensor x, Pool2dSpec spec) {
        Objects.requireNonNull(spec, "max_pool2d: spec is null");
        Checks.rank("max_pool2d", "input x [N, C, H, W]", x, 4);
        long[] s = x.shape();
        long[] o = spec.outputSize("max_pool2d", s[2], s[3]);
        long kk = spec.windowSize();
        long p = o[0] * o[1];
        INDArray xv = x.value();
        if (NativeMemory.AVAILABLE && s[0] * s[1] * p < Integer.MAX_VALUE && (xv.dataType() == DataType.FLOAT || xv.dataType() == DataType.DOUBLE)) {
            INDArray xd = NativeMemory.isDense(xv) ? xv : xv.dup('c');
            INDArray value = Nd4j.createUninitialized(x.dtype(), s[0], s[1], o[0], o[1]);
            int[] arg = new int[(int) (s[0] * s[1] * p)];
            PoolKernel.maxForward(xd, spec, value, arg);
            return Tensor.of(new MaxPool2d(x, spec, new Argmax(arg, s, spec, x.dtype(), null)), value);
        }
        INDArray cols = ConvKernels.im2col(xv, spec.kh(), spec.kw(), spec.conv(), Double.NEGATIVE_INFINITY)
                .reshape('c', s[0], s[1], kk, p);
        // a NaN sum is cheap to get and flags every NaN (and inf - inf, checked exactly below)
        INDArray nan = Double.isNaN(xv.sumNumber().doubleValue()) ? cols.isNaN() : null;
        INDArray scan = cols;
        if (nan != null && nan.any()) {
            // ND4J's max skips NaN; PyTorch's max pool returns NaN for a window holding one: find it as +inf
            scan = cols.dup('c');
            BooleanIndexing.replaceWhere(scan, Double.POSITIVE_INFINITY, Conditions.isNan());
        } else {
            nan = null;
        }
        INDArray max = scan.max(true, 2);                                      // [N, C, 1, P]
        if (nan != null) {
            INDArray clean = nan.castTo(x.dtype()).max(true, 2).rsub(1.0);     // 1 without NaN, 0 with
            max = max.mul(clean.div(clean));                                    // times 1, or times 0/0 = NaN
        }
        INDArray mask = Nd4j.create(x.dtype(), s[0], s[1], kk, p);
        Nd4j.exec(new OneHot(Nd4j.argMax(scan, 2), mask, (int) kk, 2, 1.0, 0.0));  // first maximum on ties
        INDArray value = max.reshape('c', s[0], s[1], o[0], o[1]);
        return Tensor.of(new MaxPool2d(x, spec, new Argmax(null, s, spec, x.dtype(), Tensor.constant(mask))), value);
    }

    @Override
    public String name() {
        return "max_pool2d";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    /** Whether the first-order rules can use the recorded indices directly. */
    private boolean direct(INDArray a) {
        return argmax.index() != null && !GradMode.isRecording() && PoolKernel.supports(a);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        int lead = c.lead();
        long[] s = x.shape();
        long[] out = c.out().shape();
        long kk = spec.windowSize();
        if (argmax.index() != null && !GradMode.isRecording() && NativeMemory.AVAILABLE) {
            Tensor gf = c.gFull();                                               // [L..., N, C, oh, ow]
            INDArray gv = NativeMemory.isDense(gf.value()) ? gf.value() : gf.value().dup('c');
            if (direct(gv)) {
                long rows = ConvKernels.leadCount(gf, lead) * s[0];
                INDArray img = Nd4j.createUninitialized(x.dtype(), rows, s[1], s[2], s[3]);
                PoolKernel.maxScatter(gv.reshape('c', rows, s[1], out[2], out[3]), argmax.index(), s[0], img);
                return List.of(Tensor.constant(img.reshape('c', ConvKernels.withLead(gf, lead, s[0], s[1], s[2], s[3]))));
            }
        }
        Tensor mask = argmax.mask();
        // oh, ow must be full to merge into one axis; N and C may stay 1 (the mask broadcasts them)
        Tensor g = ConvKernels.expandFrom(c.g(), lead + 2, out[2], out[3]);
        Tensor g5 = g.reshape(ConvKernels.withLead(g, lead, g.size(lead), g.size(lead + 1), 1, out[2] * out[3]));
        Tensor routed = g5.mul(mask);                                          // [L..., N, C, kk, P]
        long lflat = ConvKernels.leadCount(routed, lead);
        Tensor img = Col2Im.apply(routed.reshape(lflat * s[0], s[1] * kk, out[2] * out[3]), s[2], s[3],
                spec.kh(), spec.kw(), spec.conv());
        return List.of(img.reshape(ConvKernels.withLead(routed, lead, s[0], s[1], s[2], s[3])));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        int lead = c.lead();
        Tensor t = c.tangent(0);
        long[] s = x.shape();
        long[] out = c.out().shape();
        long lflat = ConvKernels.leadCount(t, lead);
        if (argmax.index() != null && !GradMode.isRecording() && NativeMemory.AVAILABLE) {
            INDArray tv = NativeMemory.isDense(t.value()) ? t.value() : t.value().dup('c');
            if (direct(tv)) {
                INDArray picked = Nd4j.createUninitialized(x.dtype(), lflat * s[0], s[1], out[2], out[3]);
                PoolKernel.maxGather(tv.reshape('c', lflat * s[0], s[1], s[2], s[3]), argmax.index(), s[0], picked);
                return Tensor.constant(picked.reshape('c', ConvKernels.withLead(t, lead, s[0], s[1], out[2], out[3])));
            }
        }
        Tensor cols = Im2Col.apply(t.reshape(lflat * s[0], s[1], s[2], s[3]), spec.kh(), spec.kw(), spec.conv());
        Tensor picked = cols.reshape(ConvKernels.withLead(t, lead, s[0], s[1], spec.windowSize(), out[2] * out[3]))
                .mul(argmax.mask()).sum(lead + 2);
        return picked.reshape(ConvKernels.withLead(t, lead, s[0], s[1], out[2], out[3]));
    }
}
