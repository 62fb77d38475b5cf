package dev.jacflux.model.layers;

import dev.jacflux.autodiff.ops.BatchedGemm;
import dev.jacflux.autodiff.ops.ScratchArrays;
import dev.jacflux.autodiff.transforms.Layouts;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arithmetic of per-sample squared norms shared by the rules (no graph is recorded): row sums of
 * squares, and {@code ||L_b^T R_b||_F^2} for products over {@code P} positions, either by forming
 * each {@code [a, b]} product or from {@code P x P} Gram matrices ({@link GramChoice}), with one
 * small GEMM per sample ({@link BatchedGemm}) into per-thread scratch.
 *
 * <pre>{@code
 * INDArray sq = ProductNorms.rowSquares(g);                                    // [n]
 * INDArray w = ProductNorms.productSquares(g, false, o, cols, false, ckk, p, n, GramChoice.CHEAPER);
 * }</pre>
 */
final class ProductNorms {
    private ProductNorms() {
    }

    /** Sum of squares of each row: {@code [n, ...] -> [n]} (one native reduction). */
    static INDArray rowSquares(INDArray a) {
        long n = a.size(0);
        INDArray flat = a.reshape('c', n, a.length() / n);
        return Nd4j.getExecutioner().exec(new SquaredNorm(flat, 1));
    }

    /** {@code a} as a dense (row-major, gap-free) array, copying only when needed. */
    static INDArray dense(INDArray a) {
        return Layouts.isCContiguous(a) ? a : a.dup('c');
    }

    /**
     * {@code ||L_b^T R_b||_F^2} for every sample {@code b < n}, where {@code L_b} is {@code [P, a]}
     * and {@code R_b} is {@code [P, b]}. Each operand is a dense array of {@code n} items, stored
     * positions-first ({@code [P, a]}) or positions-last ({@code [a, P]}).
     */
    static INDArray productSquares(INDArray left, boolean leftPositionsFirst, long a, INDArray right, boolean rightPositionsFirst, long b,
            long p, long n, GramChoice choice) {
        INDArray l = dense(left);
        INDArray r = dense(right);
        if (p == 1) {
            return rowSquares(l).muli(rowSquares(r));
        }
        if (choice.useGram(p, a, b)) {
            try (ScratchArrays.Lease gl = ScratchArrays.take(l.dataType(), n, p * p);
                    ScratchArrays.Lease gr = ScratchArrays.take(l.dataType(), n, p * p)) {
                gram(l, leftPositionsFirst, a, p, n, gl.array());
                gram(r, rightPositionsFirst, b, p, n, gr.array());
                return gl.array().mul(gr.array()).sum(1);
            }
        }
        try (ScratchArrays.Lease prod = ScratchArrays.take(l.dataType(), n, a * b)) {
            BatchedGemm.run(n, BatchedGemm.operand(l, p * a, leftPositionsFirst ? a : p), leftPositionsFirst,
                    BatchedGemm.operand(r, p * b, rightPositionsFirst ? b : p), !rightPositionsFirst,
                    BatchedGemm.operand(prod.array(), a * b, b), a, b, p, 1.0, 0.0);
            return rowSquares(prod.array());
        }
    }

    /** {@code X_b X_b^T} ({@code [P, P]}) for items {@code X_b} of {@code [P, w]} (stored positions-first or last). */
    private static void gram(INDArray x, boolean positionsFirst, long w, long p, long n, INDArray out) {
        long ld = positionsFirst ? w : p;
        BatchedGemm.run(n, BatchedGemm.operand(x, p * w, ld), !positionsFirst, BatchedGemm.operand(x, p * w, ld), positionsFirst,
                BatchedGemm.operand(out, p * p, p), p, p, w, 1.0, 0.0);
    }

    /** Working memory per sample (elements) of {@link #productSquares}. */
    static long work(long p, long a, long b, GramChoice choice) {
        if (p == 1) {
            return 0;
        }
        return choice.useGram(p, a, b) ? 2 * p * p : a * b;
    }
}
