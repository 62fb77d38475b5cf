package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix-product kernel behind {@link MatMul}: numpy {@code matmul} semantics for operands of
 * rank >= 2 (leading axes are batch axes and broadcast), mapped onto as few large
 * {@code Nd4j.gemm} calls as possible: a shared 2-D right operand flattens all leading axes of the
 * left into rows (one GEMM), a shared 2-D left operand folds the right's batch into columns.
 * {@code INDArray.mmul} is avoided; it is several times slower here (see ND4J-NOTES.md).
 *
 * <pre>{@code
 * INDArray y = MatMulKernel.multiply(x, w);   // x [K, B, n], w [n, m] -> [K, B, m], one GEMM
 * }</pre>
 */
public final class MatMulKernel {
    private MatMulKernel() {
    }

    /** The output shape of {@code a @ b}, or an error naming both shapes. */
    public static long[] outputShape(long[] a, long[] b) {
        if (a.length < 2 || b.length < 2) {
            throw new AutodiffException("matmul: operands must have rank >= 2, got " + Shapes.str(a) + " and " + Shapes.str(b));
        }
        long n = a[a.length - 1];
        if (b[b.length - 2] != n) {
            throw new AutodiffException("matmul: inner dimensions differ: left " + Shapes.str(a) + " has " + n
                    + " columns, right " + Shapes.str(b) + " has " + b[b.length - 2] + " rows");
        }
        long[] batch = Shapes.broadcast("matmul (batch axes)", Shapes.range(a, 0, a.length - 2), Shapes.range(b, 0, b.length - 2));
        return Shapes.concat(batch, new long[] {a[a.length - 2], b[b.length - 1]});
    }

    /** {@code a @ b} as a fresh array. */
    public static INDArray multiply(INDArray a, INDArray b) {
        long[] out = outputShape(a.shape(), b.shape());
        long r = a.size(a.rank() - 2);
        long n = a.size(a.rank() - 1);
        long m = b.size(b.rank() - 1);
        if (allOnes(b.shape(), b.rank() - 2)) {
            // shared right operand: all leading axes of a become rows of one GEMM
            INDArray a2 = a.reshape('c', Shapes.numel(a.shape()) / n, n);
            INDArray b2 = b.rank() == 2 ? b : b.reshape('c', n, m);
            INDArray c = gemm(a2, b2);
            return c.reshape('c', out);
        }
        if (allOnes(a.shape(), a.rank() - 2)) {
            long batch = Shapes.numel(b.shape()) / (n * m);
            INDArray a2 = a.rank() == 2 ? a : a.reshape('c', r, n);
            if (m == 1) {
                // shared left operand times a batch of column vectors: one GEMM [batch, n] x [r, n]^T, no permutes
                INDArray c = gemm(b.reshape('c', batch, n), a2.transpose());
                return c.reshape('c', out);
            }
            // shared left operand: fold the right's batch into columns, [n, batch*m]
            INDArray b3 = b.reshape('c', batch, n, m).permute(1, 0, 2).dup('c').reshape('c', n, batch * m);
            INDArray c = gemm(a2, b3); // [r, batch*m]
            INDArray res = c.reshape('c', r, batch, m).permute(1, 0, 2).dup('c');
            return res.reshape('c', out);
        }
        long[] batchShape = Shapes.range(out, 0, out.length - 2);
        long batch = Shapes.numel(batchShape);
        INDArray a3 = Elementwise.expand(a, Shapes.concat(batchShape, new long[] {r, n})).reshape('c', batch, r, n);
        INDArray b3 = Elementwise.expand(b, Shapes.concat(batchShape, new long[] {n, m})).reshape('c', batch, n, m);
        try (NativeThreads.Scope wide = NativeThreads.wide(batch * r * m, n)) {
            return Nd4j.matmul(a3, b3).reshape('c', out);
        }
    }

    private static boolean allOnes(long[] shape, int upTo) {
        for (int i = 0; i < upTo; i++) {
            if (shape[i] != 1) {
                return false;
            }
        }
        return true;
    }

    /** One GEMM of 2-D operands into a fresh c-order result, using transpose flags for f-order views. */
    static INDArray gemm(INDArray a, INDArray b) {
        boolean ta = false;
        boolean tb = false;
        INDArray aa = a;
        INDArray bb = b;
        if (!isCContiguous(aa)) {
            if (isCContiguous(aa.transpose())) {
                aa = aa.transpose();
                ta = true;
            } else {
                aa = aa.dup('c');
            }
        }
        if (!isCContiguous(bb)) {
            if (isCContiguous(bb.transpose())) {
                bb = bb.transpose();
                tb = true;
            } else {
                bb = bb.dup('c');
            }
        }
        if (!ta) {
            int[] rows = OneHotRows.columnsOf(aa, b.size(1));
            if (rows != null) {
                // the left operand is rows of the identity (a seed block): the product is a copy of rows of b
                return Nd4j.pullRows(tb ? bb.transpose() : bb, 1, rows);
            }
        }
        INDArray c = Nd4j.createUninitialized(a.dataType(), a.size(0), b.size(1));
        if (a.size(1) == 0) {
            return c.assign(0);
        }
        try (NativeThreads.Scope wide = NativeThreads.wide(a.size(0) * b.size(1), a.size(1))) {
            Nd4j.gemm(aa, bb, c, ta, tb, 1.0, 0.0);
        }
        return c;
    }

    /** Whether a 2-D array is laid out row-major without gaps (size-1 axes ignored). */
    static boolean isCContiguous(INDArray x) {
        if (x.rank() != 2) {
            return false;
        }
        long[] s = x.shape();
        long[] st = x.stride();
        boolean rowsOk = s[0] == 1 || st[0] == s[1];
        boolean colsOk = s[1] == 1 || st[1] == 1;
        return rowsOk && colsOk && (x.ordering() == 'c' || s[0] == 1 || s[1] == 1);
    }
}
