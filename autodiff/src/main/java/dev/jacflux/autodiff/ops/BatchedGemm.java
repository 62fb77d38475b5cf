package dev.jacflux.autodiff.ops;

import dev.jacflux.autodiff.NativeThreads;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch of small GEMMs {@code C[i] = alpha op(A[i]) op(B[i]) + beta C[i]} for {@code i < batch},
 * one BLAS call each, straight on the arrays' memory: an operand is an array plus the element
 * distance between consecutive items (0 for an operand shared by all items) and its leading
 * dimension, so items may sit in strided rows of a larger result (a sample's row of the
 * {@code N x M} per-sample gradient matrix) without copies.
 *
 * <p>Why not ND4J: {@code Nd4j.gemm} on views costs about 50 us per call here and copies strided
 * outputs, and rank-3 {@code Nd4j.matmul} was 3x slower than one large GEMM; 128 calls of
 * {@code [16, 64] x [64, 150]} take 2.0 ms this way. OpenBLAS is the library ND4J itself loads.
 *
 * <pre>{@code
 * // conv forward y[n] = W [O, CKK] @ cols[n] [CKK, P] for every sample n
 * BatchedGemm.run(n, BatchedGemm.operand(w, 0, ckk), false, BatchedGemm.operand(cols, ckk * p, p), false,
 *         BatchedGemm.operand(y, o * p, p), o, p, ckk, 1.0, 0.0);
 * }</pre>
 */
public final class BatchedGemm {
    private BatchedGemm() {
    }

    /**
     * One operand: the array holding item 0 at its first element, the element distance between
     * items (0 = shared) and the leading dimension (elements between rows, row-major).
     */
    public record Operand(INDArray array, long itemStride, long ld) {
    }

    /** An operand. */
    public static Operand operand(INDArray array, long itemStride, long ld) {
        return new Operand(array, itemStride, ld);
    }

    /** Whether the arrays can be used here: FLOAT or DOUBLE of one dtype, and direct memory access. */
    public static boolean supports(INDArray... arrays) {
        if (!NativeMemory.AVAILABLE) {
            return false;
        }
        DataType dt = arrays[0].dataType();
        if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != dt) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code C[i] = alpha op(A[i]) op(B[i]) + beta C[i]} for {@code i < batch}, where
     * {@code op(A[i])} is {@code m x k}, {@code op(B[i])} is {@code k x n} and {@code C[i]} is
     * {@code m x n}, all row-major at their leading dimensions. Checks that every item stays inside
     * its array.
     */
    public static void run(long batch, Operand a, boolean ta, Operand b, boolean tb, Operand c, long m, long n, long k, double alpha,
            double beta) {
        if (batch <= 0 || m <= 0 || n <= 0) {
            return;
        }
        checkExtent("A", a, batch, ta ? k : m, ta ? m : k);
        checkExtent("B", b, batch, tb ? n : k, tb ? k : n);
        checkExtent("C", c, batch, m, n);
        int transA = ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int transB = tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        try (NativeThreads.Scope wide = NativeThreads.wide(m * n, k)) {   // per item: many small GEMMs stay on one thread
            if (c.array().dataType() == DataType.FLOAT) {
                FloatPointer pa = new FloatPointer(pointerAt(a.array()));
                FloatPointer pb = new FloatPointer(pointerAt(b.array()));
                FloatPointer pc = new FloatPointer(pointerAt(c.array()));
                for (long i = 0; i < batch; i++) {
                    pa.position(i * a.itemStride());
                    pb.position(i * b.itemStride());
                    pc.position(i * c.itemStride());
                    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, transA, transB, (int) m, (int) n, (int) k, (float) alpha,
                            pa, (int) a.ld(), pb, (int) b.ld(), (float) beta, pc, (int) c.ld());
                }
            } else {
                DoublePointer pa = new DoublePointer(pointerAt(a.array()));
                DoublePointer pb = new DoublePointer(pointerAt(b.array()));
                DoublePointer pc = new DoublePointer(pointerAt(c.array()));
                for (long i = 0; i < batch; i++) {
                    pa.position(i * a.itemStride());
                    pb.position(i * b.itemStride());
                    pc.position(i * c.itemStride());
                    openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, transA, transB, (int) m, (int) n, (int) k, alpha,
                            pa, (int) a.ld(), pb, (int) b.ld(), beta, pc, (int) c.ld());
                }
            }
        }
    }

    /**
     * {@code y = x^T A} for a dense {@code A [rows, cols]}, {@code x [rows]} and {@code y [cols]}
     * (one BLAS matrix-vector product: the weighted sum of the rows of {@code A}, reading it once).
     */
    public static void rowCombination(INDArray a, INDArray x, INDArray y) {
        long rows = a.size(0);
        long cols = a.size(1);
        if (a.rank() != 2 || !NativeMemory.isDense(a) || x.length() != rows || y.length() != cols || !NativeMemory.isDense(x)
                || !NativeMemory.isDense(y) || !supports(a, x, y)) {
            throw new IllegalArgumentException("row combination: needs dense A [rows, cols], x [rows], y [cols] of one dtype, got "
                    + java.util.Arrays.toString(a.shape()) + ", " + java.util.Arrays.toString(x.shape()) + ", " + java.util.Arrays.toString(y.shape()));
        }
        try (NativeThreads.Scope wide = NativeThreads.wideElementwise(rows * cols)) {
            if (a.dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, (int) rows, (int) cols, 1f,
                        new FloatPointer(pointerAt(a)), (int) cols, new FloatPointer(pointerAt(x)), 1, 0f, new FloatPointer(pointerAt(y)), 1);
            } else {
                openblas_nolapack.cblas_dgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, (int) rows, (int) cols, 1.0,
                        new DoublePointer(pointerAt(a)), (int) cols, new DoublePointer(pointerAt(x)), 1, 0.0, new DoublePointer(pointerAt(y)), 1);
            }
        }
    }

    /** {@code out[r] = ||a[r]||^2} for every row of a dense {@code a [rows, cols]} (one BLAS dot product per row, no temporary). */
    public static void rowSquares(INDArray a, INDArray out) {
        long rows = a.size(0);
        long cols = a.length() / Math.max(1, rows);
        if (!NativeMemory.isDense(a) || !NativeMemory.isDense(out) || out.length() != rows || !supports(a, out) || cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("row squares: needs a dense [rows, cols] and [rows] of one dtype, got "
                    + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(out.shape()));
        }
        boolean f = a.dataType() == DataType.FLOAT;
        long at = NativeMemory.address(a);
        long dst = NativeMemory.address(out);
        for (long r = 0; r < rows; r++) {
            Pointer row = new At(at + r * cols * (f ? 4 : 8));
            if (f) {
                FloatPointer p = new FloatPointer(row);
                NativeMemory.UNSAFE.putFloat(dst + r * 4, openblas_nolapack.cblas_sdot((int) cols, p, 1, p, 1));
            } else {
                DoublePointer p = new DoublePointer(row);
                NativeMemory.UNSAFE.putDouble(dst + r * 8, openblas_nolapack.cblas_ddot((int) cols, p, 1, p, 1));
            }
        }
    }

    /** A pointer at the array's first element (no ownership: the array keeps its memory alive). */
    private static Pointer pointerAt(INDArray a) {
        return new At(NativeMemory.address(a));
    }

    /** A JavaCPP pointer at a given address (an inherited field shadows outer names, hence a named class). */
    private static final class At extends Pointer {
        At(long at) {
            this.address = at;
        }
    }

    /**
     * Every item must lie within the array's own elements: for a dense array, within its length
     * from its first element; for a block of rows of a larger matrix ({@code [R, L]} with strides
     * {@code [S, 1]}, e.g. some columns of the per-sample gradient matrix), one item per row.
     */
    private static void checkExtent(String name, Operand o, long batch, long rows, long cols) {
        INDArray a = o.array();
        if (o.ld() < cols || o.itemStride() < 0) {
            throw new IllegalArgumentException("batched gemm: operand " + name + " has leading dimension " + o.ld() + " for " + cols
                    + " columns, or a negative item stride");
        }
        long span = (rows - 1) * o.ld() + cols;
        boolean ok;
        if (NativeMemory.isDense(a)) {
            ok = (batch - 1) * o.itemStride() + span <= a.length();
        } else if (a.rank() == 2 && (a.size(1) == 1 || a.stride(1) == 1) && a.stride(0) >= a.size(1)) {
            ok = (batch == 1 || o.itemStride() == a.stride(0)) && batch <= a.size(0) && span <= a.size(1);
        } else {
            ok = false;
        }
        if (!ok) {
            throw new IllegalArgumentException("batched gemm: operand " + name + " " + java.util.Arrays.toString(a.shape()) + " (strides "
                    + java.util.Arrays.toString(a.stride()) + ") does not hold " + batch + " items of " + rows + " x " + cols + " at item stride "
                    + o.itemStride() + " and leading dimension " + o.ld());
        }
    }
}
