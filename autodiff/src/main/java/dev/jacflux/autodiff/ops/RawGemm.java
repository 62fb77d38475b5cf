package dev.jacflux.autodiff.ops;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * One reusable handle for a sequence of row-major BLAS GEMMs on raw addresses, for loops that
 * interleave a small GEMM with another per-sample kernel (unfold, multiply, fold) so that the
 * sample's block stays in cache instead of a whole batch of blocks going through memory. Callers
 * own the addresses (dense arrays of the right dtype that outlive the call) and check the extents;
 * the handle only avoids making three pointer objects per call. One handle per thread.
 *
 * <pre>{@code
 * RawGemm g = new RawGemm(true);   // float32
 * g.gemm(false, false, o, p, ckk, 1.0, wAddress, ckk, colsAddress, p, 0.0, yAddress, p);
 * }</pre>
 */
final class RawGemm {
    private final boolean isFloat;
    private final Movable a;
    private final Movable b;
    private final Movable c;

    /** A JavaCPP pointer whose address is set per call. */
    private static final class Movable extends org.bytedeco.javacpp.Pointer {
        Movable at(long address) {
            this.address = address;
            this.position = 0;
            return this;
        }
    }

    RawGemm(boolean isFloat) {
        this.isFloat = isFloat;
        this.a = new Movable();
        this.b = new Movable();
        this.c = new Movable();
    }

    /** {@code C = alpha op(A) op(B) + beta C}, {@code op(A)} {@code m x k}, {@code op(B)} {@code k x n}, row-major at the leading dimensions. */
    void gemm(boolean ta, boolean tb, long m, long n, long k, double alpha, long aAddress, long lda, long bAddress, long ldb, double beta,
            long cAddress, long ldc) {
        int transA = ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int transB = tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if (isFloat) {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, transA, transB, (int) m, (int) n, (int) k, (float) alpha,
                    new FloatPointer(a.at(aAddress)), (int) lda, new FloatPointer(b.at(bAddress)), (int) ldb, (float) beta,
                    new FloatPointer(c.at(cAddress)), (int) ldc);
        } else {
            openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, transA, transB, (int) m, (int) n, (int) k, alpha,
                    new DoublePointer(a.at(aAddress)), (int) lda, new DoublePointer(b.at(bAddress)), (int) ldb, beta,
                    new DoublePointer(c.at(cAddress)), (int) ldc);
        }
    }
}
