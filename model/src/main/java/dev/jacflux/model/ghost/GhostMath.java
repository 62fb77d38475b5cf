package dev.jacflux.model.ghost;

import dev.jacflux.autodiff.ops.MatMulKernel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.factory.Nd4j;

/** The arithmetic of ghost norms on plain arrays (no graph is recorded). */
final class GhostMath {
    private GhostMath() {
    }

    /** Sum of squares of each row: {@code [n, ...] -> [n]}. */
    static INDArray rowSquares(INDArray a) {
        long n = a.size(0);
        return Nd4j.getExecutioner().exec(new SquaredNorm(a.reshape('c', n, a.length() / n), 1));   // one native reduction
    }

    /** Whether the Gram form is cheaper than the direct one for {@code P} positions and widths {@code a}, {@code b}. */
    static boolean gramIsCheaper(long p, long a, long b) {
        return p * (a + b) < a * b;
    }

    /**
     * {@code ||A_b^T B_b||_F^2} for every sample {@code b}, with {@code A [n, P, a]} and
     * {@code B [n, P, b]}.
     */
    static INDArray squaredNormOfProducts(INDArray a, INDArray b, GhostStrategy strategy) {
        long p = a.size(1);
        if (p == 1) {
            return rowSquares(a).muli(rowSquares(b));
        }
        boolean gram = switch (strategy) {
            case GRAM -> true;
            case DIRECT -> false;
            case AUTO -> gramIsCheaper(p, a.size(2), b.size(2));
        };
        if (gram) {
            INDArray ga = MatMulKernel.multiply(a, a.permute(0, 2, 1));   // [n, P, P]
            INDArray gb = MatMulKernel.multiply(b, b.permute(0, 2, 1));   // [n, P, P]
            return rowSquaresOfProduct(ga, gb);
        }
        INDArray prod = MatMulKernel.multiply(a.permute(0, 2, 1), b);     // [n, a, b]
        return rowSquares(prod);
    }

    /** {@code sum(x * y)} per row. */
    private static INDArray rowSquaresOfProduct(INDArray x, INDArray y) {
        long n = x.size(0);
        return x.mul(y).reshape('c', n, x.length() / n).sum(1);
    }

    /** Working memory (elements per sample) of {@link #squaredNormOfProducts}. */
    static long workPerSample(long p, long a, long b, GhostStrategy strategy) {
        if (p == 1) {
            return 0;
        }
        boolean gram = strategy == GhostStrategy.GRAM || (strategy == GhostStrategy.AUTO && gramIsCheaper(p, a, b));
        return gram ? 2 * p * p : a * b;
    }
}
