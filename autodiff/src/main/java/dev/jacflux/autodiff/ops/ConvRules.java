package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.VjpContext;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The first-order (not recorded) VJP of {@link Conv2d} as direct kernels, used when no second
 * derivative is asked for: every product is a {@link BatchedGemm} over the rows of the cotangent,
 * with no permuting copies, and im2col columns live in per-thread scratch.
 *
 * <ul>
 *   <li>{@code gx}: {@code cols[l, n] = W^T g[l, n]} (one GEMM per row), then {@code col2im};</li>
 *   <li>per-sample {@code gw[l, n] = g[l, n] cols[n]^T}, written straight into the destination
 *       rows when the caller offers them (a sample's slot of the {@code N x M} matrix);</li>
 *   <li>summed {@code gw[l] = sum_n g[l, n] cols[n]^T}, accumulated by the GEMMs themselves.</li>
 * </ul>
 * The recorded (differentiable) rules in {@link Conv2d} give the same values; the op-spec table
 * checks both against finite differences.
 */
final class ConvRules {
    private ConvRules() {
    }

    static List<Tensor> vjp(Conv2d op, VjpContext c) {
        Tensor x = op.x();
        Tensor w = op.w();
        if (c.needs(0) && c.perSample(0)) {
            throw new AutodiffException("conv2d: per-sample mode: input x " + Shapes.str(x.shape())
                    + " does not depend on the batch while weight w " + Shapes.str(w.shape())
                    + " does; per-sample cotangents are supported for the weight only");
        }
        int lead = c.lead();
        long n = x.size(0);
        long o = w.size(0);
        long ckk = op.kernelRows();
        long[] out = c.out().shape();
        long p = out[2] * out[3];
        Tensor g = ConvKernels.expandFrom(c.g(), lead + 1, o, out[2], out[3]);
        long ng = g.size(lead);
        long lflat = ConvKernels.leadCount(g, lead);
        long rows = lflat * ng;
        INDArray gv = NativeMemory.isDense(g.value()) ? g.value() : g.value().dup('c');
        INDArray wv = NativeMemory.isDense(w.value()) ? w.value() : w.value().dup('c');

        Tensor gx = null;
        if (c.needs(0)) {
            // per row: cols = W^T g[r] into a small scratch block that stays in cache, then folded into the row's image
            // (measured faster than all rows' columns through memory, and than one GEMM after a transposing copy)
            INDArray img = Nd4j.createUninitialized(x.dtype(), rows, x.size(1), x.size(2), x.size(3));
            Im2ColKernel.Geometry geo = new Im2ColKernel.Geometry(x.size(2), x.size(3), w.size(2), w.size(3), op.spec(), x.dtype());
            RawGemm gemm = new RawGemm(geo.isFloat);
            long imgPlane = x.size(1) * x.size(2) * x.size(3);
            long gA = NativeMemory.address(gv);
            long wA = NativeMemory.address(wv);
            long iA = NativeMemory.address(img);
            try (ScratchArrays.Lease cols = ScratchArrays.take(x.dtype(), ckk * p)) {
                long sA = NativeMemory.address(cols.array());
                for (long r = 0; r < rows; r++) {
                    gemm.gemm(true, false, ckk, p, o, 1.0, wA, ckk, gA + r * o * p * geo.width, p, 0.0, sA, p);
                    geo.col2im(sA, iA + r * imgPlane * geo.width, x.size(1));
                }
            }
            gx = Tensor.constant(img.reshape('c', ConvKernels.withLead(g, lead, ng, x.size(1), x.size(2), x.size(3))));
        }
        Tensor gw = null;
        if (c.needs(1)) {
            try (ScratchArrays.Lease cols = ScratchArrays.take(x.dtype(), n, ckk, p)) {
                ConvKernels.im2colInto(x.value(), w.size(2), w.size(3), op.spec(), 0.0, cols.array());
                if (c.perSample(1)) {
                    gw = perSampleWeight(c, g, gv, cols.array(), lead, lflat, n, o, ckk, p, w);
                } else {
                    INDArray sum = Nd4j.createUninitialized(x.dtype(), lflat, o, ckk);
                    for (long l = 0; l < lflat; l++) {
                        // gw[l] = sum_n g[l, n] cols[n]^T: the first sample's GEMM writes, the others accumulate (beta 1)
                        INDArray gl = offset(gv, l * ng * o * p);
                        INDArray sl = offset(sum, l * o * ckk);
                        long gStride = ng == 1 ? 0 : o * p;
                        BatchedGemm.run(1, BatchedGemm.operand(gl, 0, p), false, BatchedGemm.operand(cols.array(), 0, p), true,
                                BatchedGemm.operand(sl, 0, ckk), o, ckk, p, 1.0, 0.0);
                        if (n > 1) {
                            BatchedGemm.run(n - 1, BatchedGemm.operand(offset(gl, gStride), gStride, p), false,
                                    BatchedGemm.operand(offset(cols.array(), ckk * p), ckk * p, p), true, BatchedGemm.operand(sl, 0, ckk), o, ckk,
                                    p, 1.0, 1.0);
                        }
                    }
                    gw = Tensor.constant(sum.reshape('c', ConvKernels.withLead(g, lead, o, w.size(1), w.size(2), w.size(3))));
                }
            }
        }
        return Arrays.asList(gx, gw);
    }

    /** Per-sample {@code gw[l, n] = g[l, n] cols[n]^T}, into the offered destination when there is one. */
    private static Tensor perSampleWeight(VjpContext c, Tensor g, INDArray gv, INDArray cols, int lead, long lflat, long n, long o, long ckk,
            long p, Tensor w) {
        long ng = g.size(lead);
        INDArray dest = c.destination(1);
        long[] want = ConvKernels.withLead(g, lead, n, o, w.size(1), w.size(2), w.size(3));
        INDArray target = dest != null && Arrays.equals(dest.shape(), want) ? dest : null;
        INDArray rowsOut;
        long rowStride;
        if (target != null && lflat == 1 && rowsView(target, n, o * ckk) != null) {
            rowsOut = rowsView(target, n, o * ckk);
            rowStride = rowsOut.rank() == 2 && rowsOut.size(0) > 1 ? rowsOut.stride(0) : o * ckk;
        } else {
            target = null;
            rowsOut = Nd4j.createUninitialized(gv.dataType(), lflat * n, o * ckk);
            rowStride = o * ckk;
        }
        for (long l = 0; l < lflat; l++) {
            INDArray gl = offset(gv, l * ng * o * p);
            INDArray cl = offset(rowsOut, l * n * rowStride);
            if (ng == 1) {
                // the same cotangent for every sample: g[l] cols[n]^T with g shared
                BatchedGemm.run(n, BatchedGemm.operand(gl, 0, p), false, BatchedGemm.operand(cols, ckk * p, p), true,
                        BatchedGemm.operand(cl, rowStride, ckk), o, ckk, p, 1.0, 0.0);
            } else {
                BatchedGemm.run(n, BatchedGemm.operand(gl, o * p, p), false, BatchedGemm.operand(cols, ckk * p, p), true,
                        BatchedGemm.operand(cl, rowStride, ckk), o, ckk, p, 1.0, 0.0);
            }
        }
        if (target != null) {
            return Tensor.constant(target);
        }
        return Tensor.constant(rowsOut.reshape('c', want));
    }

    /**
     * The destination {@code [1, n, *w]} as {@code n} rows of {@code numel} elements with unit
     * stride inside a row (a block of rows of the {@code N x M} matrix), or null if ND4J cannot
     * express it as such a view of the same memory (then the caller computes into a fresh array).
     */
    private static INDArray rowsView(INDArray dest, long n, long numel) {
        if (dest.length() != n * numel) {
            return null;
        }
        INDArray r = dest.reshape('c', new long[] {n, numel});
        boolean sameMemory = NativeMemory.address(r) == NativeMemory.address(dest) && r.data().address() == dest.data().address();
        boolean rows = r.rank() == 2 && (numel == 1 || r.stride(1) == 1) && (n == 1 || r.stride(0) >= numel);
        return sameMemory && rows ? r : null;
    }

    /** A view starting {@code elements} after {@code a}'s first element, reaching to the end of its row block (for pointer offsets). */
    private static INDArray offset(INDArray a, long elements) {
        if (elements == 0) {
            return a;
        }
        if (NativeMemory.isDense(a)) {
            return a.reshape('c', new long[] {a.length()}).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(elements, a.length()));
        }
        // a block of rows [R, L] with row stride S: start at row elements / S
        long s = a.stride(0);
        if (elements % s != 0) {
            throw new IllegalArgumentException("conv2d: internal error: offset " + elements + " is not a whole number of rows of " + s);
        }
        return a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(elements / s, a.size(0)), org.nd4j.linalg.indexing.NDArrayIndex.all());
    }
}
