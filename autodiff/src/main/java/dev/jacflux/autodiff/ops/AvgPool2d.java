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
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D average pooling with PyTorch's semantics ({@code ceil_mode=False},
 * {@code count_include_pad=True}: zero padding counts, every window is divided by {@code kh*kw}):
 * {@code x [N, C, H, W]} gives {@code [N, C, oh, ow]}. Dilation is allowed as a generalisation
 * (PyTorch's {@code AvgPool2d} has none).
 *
 * <p>The op is linear: its VJP spreads {@code g / (kh*kw)} over each window with {@link Col2Im};
 * its JVP is the pooling of the tangent. A cotangent constant along the batch axis stays so.
 *
 * <pre>{@code
 * Tensor y = AvgPool2d.apply(x, Pool2dSpec.of(new int[] {2, 2}));   // [8, 16, 32, 32] -> [8, 16, 16, 16]
 * }</pre>
 */
public record AvgPool2d(Tensor x, Pool2dSpec spec) implements Op {

    /** Forward pass: validates the input and spec, then averages each window. */
    public static Tensor apply(Tensor x, Pool2dSpec spec) {
        Objects.requireNonNull(spec, "avg_pool2d: spec is null");
        Checks.rank("avg_pool2d", "input x [N, C, H, W]", x, 4);
        long[] s = x.shape();
        long[] o = spec.outputSize("avg_pool2d", s[2], s[3]);
        long kk = spec.windowSize();
        INDArray xv = x.value();
        if (NativeMemory.AVAILABLE && (xv.dataType() == DataType.FLOAT || xv.dataType() == DataType.DOUBLE)) {
            INDArray xd = NativeMemory.isDense(xv) ? xv : xv.dup('c');
            INDArray value = Nd4j.createUninitialized(x.dtype(), s[0], s[1], o[0], o[1]);
            PoolKernel.avgForward(xd, spec, value);
            return Tensor.of(new AvgPool2d(x, spec), value);
        }
        INDArray cols = ConvKernels.im2col(xv, spec.kh(), spec.kw(), spec.conv()).reshape('c', s[0], s[1], kk, o[0] * o[1]);
        INDArray value = cols.sum(2).divi(kk).reshape('c', s[0], s[1], o[0], o[1]);
        return Tensor.of(new AvgPool2d(x, spec), value);
    }

    @Override
    public String name() {
        return "avg_pool2d";
    }

    @Override
    public List<Tensor> inputs() {
        return List.of(x);
    }

    @Override
    public List<Tensor> vjp(VjpContext c) {
        int lead = c.lead();
        long[] s = x.shape();
        long[] out = c.out().shape();
        long kk = spec.windowSize();
        long p = out[2] * out[3];
        // C, oh, ow expanded; a size-1 batch axis (batch-invariant cotangent) is kept
        Tensor g = ConvKernels.expandFrom(c.g(), lead + 1, s[1], out[2], out[3]);
        long ng = g.size(lead);
        if (!GradMode.isRecording() && NativeMemory.AVAILABLE) {
            INDArray gv = NativeMemory.isDense(g.value()) ? g.value() : g.value().dup('c');
            if (PoolKernel.supports(gv)) {
                long rows = ConvKernels.leadCount(g, lead) * ng;
                INDArray img = Nd4j.createUninitialized(x.dtype(), rows, s[1], s[2], s[3]);
                PoolKernel.avgScatter(gv.reshape('c', rows, s[1], out[2], out[3]), spec, img);
                return List.of(Tensor.constant(img.reshape('c', ConvKernels.withLead(g, lead, ng, s[1], s[2], s[3]))));
            }
        }
        // spread over the window by a broadcast product with a constant [kk, 1] of 1/kk
        Tensor share = Tensor.constant(Nd4j.valueArrayOf(new long[] {kk, 1}, 1.0 / kk, x.dtype()));
        Tensor spread = g.reshape(ConvKernels.withLead(g, lead, ng, s[1], 1, p)).mul(share);
        long lflat = ConvKernels.leadCount(g, lead);
        Tensor img = Col2Im.apply(spread.reshape(lflat * ng, s[1] * kk, p), s[2], s[3], spec.kh(), spec.kw(), spec.conv());
        return List.of(img.reshape(ConvKernels.withLead(g, lead, ng, s[1], s[2], s[3])));
    }

    @Override
    public Tensor jvp(JvpContext c) {
        int lead = c.lead();
        Tensor t = c.tangent(0);
        long[] s = x.shape();
        long[] out = c.out().shape();
        long lflat = ConvKernels.leadCount(t, lead);
        if (!GradMode.isRecording() && NativeMemory.AVAILABLE) {
            INDArray tv = NativeMemory.isDense(t.value()) ? t.value() : t.value().dup('c');
            if (PoolKernel.supports(tv)) {
                INDArray pooled = Nd4j.createUninitialized(x.dtype(), lflat * s[0], s[1], out[2], out[3]);
                PoolKernel.avgForward(tv.reshape('c', lflat * s[0], s[1], s[2], s[3]), spec, pooled);
                return Tensor.constant(pooled.reshape('c', ConvKernels.withLead(t, lead, s[0], s[1], out[2], out[3])));
            }
        }
        Tensor pooled = apply(t.reshape(lflat * s[0], s[1], s[2], s[3]), spec);
        return pooled.reshape(ConvKernels.withLead(t, lead, s[0], s[1], out[2], out[3]));
    }
}
