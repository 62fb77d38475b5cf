package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.engine.TangentSweep;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The function transforms in one place, in the style of {@code torch.func} and JAX:
 * {@code vjp}, {@code jvp}, {@code grad}, batch and full Jacobians, Hessians.
 *
 * <pre>{@code
 * Function<Tensor, Tensor> f = x -> x.matmul(w).tanh();
 * Autodiff.VjpResult r = Autodiff.vjp(f, x);        // forward pass, graph kept
 * INDArray gx = r.pullback(cotangents);             // [K, *y] -> [K, *x], one pass for K rows
 * INDArray jb = Autodiff.batchJacobian(f, x);       // [B, *out, *in]
 * INDArray g = Autodiff.grad(v -> f.apply(v).sum(), x);
 * }</pre>
 *
 * <p>All results follow IEEE 754: NaN and infinities in values propagate into derivatives.
 */
public final class Autodiff {
    private Autodiff() {
    }

    /**
     * The value of {@code f} at {@code x} and its pullback. The pullback accepts cotangents
     * {@code [L..., *shape(y)]} with any number of leading basis axes and returns
     * {@code [L..., *shape(x)]}; it may be called many times and from several threads.
     */
    public static VjpResult vjp(Function<Tensor, Tensor> f, INDArray x) {
        Tensor in = Tensor.variable(x, "x");
        Tensor out;
        try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
            out = f.apply(in);
        }
        return new VjpResult(in, out);
    }

    /** A forward pass with its pullback. */
    public record VjpResult(Tensor input, Tensor output) {
        /** The value {@code f(x)}. */
        public INDArray value() {
            return output.value();
        }

        /** Pulls a cotangent {@code [L..., *shape(y)]} back to {@code [L..., *shape(x)]}. */
        public INDArray pullback(INDArray cotangent) {
            int lead = cotangent.rank() - output.rank();
            if (lead < 0) {
                throw new AutodiffException("vjp: cotangent " + Shapes.str(cotangent.shape()) + " has fewer axes than the output "
                        + Shapes.str(output.shape()));
            }
            Tensor g = Backprop.pullback(List.of(output), List.of(Tensor.constant(cotangent)), List.of(input), Backprop.Options.DEFAULT).get(0);
            long[] want = Shapes.concat(Shapes.range(cotangent.shape(), 0, lead), input.shape());
            if (g == null) {
                return Nd4j.zeros(input.dtype(), want);
            }
            return Arrays.equals(g.shape(), want) ? g.value() : g.value().broadcast(want).dup('c');
        }
    }

    /** The value of {@code f} at {@code x} and the tangent {@code J t} for {@code t [L..., *shape(x)]}. */
    public static JvpResult jvp(Function<Tensor, Tensor> f, INDArray x, INDArray tangent) {
        Tensor in = Tensor.variable(x, "x");
        Tensor out;
        try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
            out = f.apply(in);
        }
        int lead = tangent.rank() - x.rank();
        if (lead < 0 || !Arrays.equals(Shapes.range(tangent.shape(), lead, tangent.rank()), x.shape())) {
            throw new AutodiffException("jvp: tangent " + Shapes.str(tangent.shape()) + " does not fit input " + Shapes.str(x.shape())
                    + "; expected [L..., " + Shapes.str(x.shape()).substring(1));
        }
        Tensor t = TangentSweep.pushforward(List.of(out), List.of(in), List.of(Tensor.constant(tangent)), false).get(0);
        long[] want = Shapes.concat(Shapes.range(tangent.shape(), 0, lead), out.shape());
        INDArray ty = t == null ? Nd4j.zeros(out.dtype(), want)
                : Arrays.equals(t.shape(), want) ? t.value() : t.value().broadcast(want).dup('c');
        return new JvpResult(out.value(), ty);
    }

    /** A forward pass with a pushed-forward tangent. */
    public record JvpResult(INDArray value, INDArray tangent) {
    }

    /** The gradient of a scalar-valued {@code f} at {@code x}, shaped like {@code x}. */
    public static INDArray grad(Function<Tensor, Tensor> f, INDArray x) {
        VjpResult r = vjp(f, x);
        if (r.output().numel() != 1) {
            throw new AutodiffException("grad: the function must return a scalar, got shape " + Shapes.str(r.output().shape())
                    + "; use vjp or a Jacobian for vector outputs");
        }
        INDArray seed = Nd4j.ones(r.output().dtype(), Shapes.concat(new long[] {1}, r.output().shape()));
        return r.pullback(seed).reshape('c', x.shape());
    }

    /** Batch Jacobian {@code [B, *out, *in]} (see {@link BatchJacobian}). */
    public static INDArray batchJacobian(Function<Tensor, Tensor> f, INDArray x) {
        return BatchJacobian.of(f).compute(x);
    }

    /** Batch Jacobian with options (chunk size, memory budget, independence check). */
    public static INDArray batchJacobian(Function<Tensor, Tensor> f, INDArray x, JacobianOptions options) {
        return BatchJacobian.of(f, options).compute(x);
    }

    /** Full Jacobian {@code [*ys, *xs]} in reverse mode; {@code chunkSize} rows per pass (0 = all). */
    public static INDArray jacrev(Function<Tensor, Tensor> f, INDArray x, long chunkSize) {
        return FullJacobian.of(f, JacobianOptions.DEFAULT.withMode(JacobianOptions.Mode.REVERSE).withChunkSize(chunkSize)).compute(x);
    }

    /** Full Jacobian {@code [*ys, *xs]} in forward mode; {@code chunkSize} columns per pass (0 = all). */
    public static INDArray jacfwd(Function<Tensor, Tensor> f, INDArray x, long chunkSize) {
        return FullJacobian.of(f, JacobianOptions.DEFAULT.withMode(JacobianOptions.Mode.FORWARD).withChunkSize(chunkSize)).compute(x);
    }

    /** Full Jacobian with options; {@link JacobianOptions.Mode#AUTO} picks forward mode for inputs smaller than outputs. */
    public static INDArray jacobian(Function<Tensor, Tensor> f, INDArray x, JacobianOptions options) {
        return FullJacobian.of(f, options).compute(x);
    }

    /** Hessian {@code [*xs, *xs]} of a scalar function. */
    public static INDArray hessian(Function<Tensor, Tensor> f, INDArray x) {
        return Hessian.of(f).compute(x);
    }

    /** Hessian-vector product of a scalar function. */
    public static INDArray hvp(Function<Tensor, Tensor> f, INDArray x, INDArray v) {
        return Hessian.of(f).hvp(x, v);
    }
}
