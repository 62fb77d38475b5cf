package dev.jacflux.autodiff;

import dev.jacflux.autodiff.ops.Abs;
import dev.jacflux.autodiff.ops.Add;
import dev.jacflux.autodiff.ops.BroadcastTo;
import dev.jacflux.autodiff.ops.Concat;
import dev.jacflux.autodiff.ops.Cos;
import dev.jacflux.autodiff.ops.Div;
import dev.jacflux.autodiff.ops.Elu;
import dev.jacflux.autodiff.ops.Erf;
import dev.jacflux.autodiff.ops.Exp;
import dev.jacflux.autodiff.ops.Gelu;
import dev.jacflux.autodiff.ops.LeakyRelu;
import dev.jacflux.autodiff.ops.Log;
import dev.jacflux.autodiff.ops.LogSoftmax;
import dev.jacflux.autodiff.ops.MatMul;
import dev.jacflux.autodiff.ops.Mean;
import dev.jacflux.autodiff.ops.Mul;
import dev.jacflux.autodiff.ops.Neg;
import dev.jacflux.autodiff.ops.Permute;
import dev.jacflux.autodiff.ops.Pow;
import dev.jacflux.autodiff.ops.Relu;
import dev.jacflux.autodiff.ops.Reshape;
import dev.jacflux.autodiff.ops.Sigmoid;
import dev.jacflux.autodiff.ops.Sin;
import dev.jacflux.autodiff.ops.Slice;
import dev.jacflux.autodiff.ops.Softmax;
import dev.jacflux.autodiff.ops.Softplus;
import dev.jacflux.autodiff.ops.Sqrt;
import dev.jacflux.autodiff.ops.Stack;
import dev.jacflux.autodiff.ops.Sub;
import dev.jacflux.autodiff.ops.Sum;
import dev.jacflux.autodiff.ops.SumTo;
import dev.jacflux.autodiff.ops.Tanh;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable differentiable value: an ND4J array (float32 or float64) plus, when it was computed
 * by an op while recording, the {@link Op} that produced it. The graph of ops is recorded as code
 * runs, so ordinary Java code becomes differentiable:
 *
 * <pre>{@code
 * Tensor x = Tensor.variable(Nd4j.rand(DataType.DOUBLE, 8, 4));   // watched input
 * Tensor w = Tensor.constant(Nd4j.rand(DataType.DOUBLE, 4, 3));
 * Tensor y = x.matmul(w).tanh();                                  // [8, 3], graph recorded
 * INDArray jac = BatchJacobian.of(v -> v.matmul(w).tanh(), x.value()).compute(); // [8, 3, 4]
 * }</pre>
 *
 * <p>The wrapped array must not be mutated after the tensor is created: the graph, and threads
 * pulling back chunks of it, rely on values never changing. Arithmetic follows IEEE 754: NaN and
 * infinities propagate through values and derivatives exactly as the underlying operations
 * produce them, and nothing is clamped.
 */
public final class Tensor {
    private static final AtomicLong IDS = new AtomicLong();

    private final INDArray value;
    private final Op op;
    private final boolean tracked;
    private final long id;
    private final String name;

    private Tensor(INDArray value, Op op, boolean tracked, String name) {
        this.value = value;
        this.op = op;
        this.tracked = tracked;
        this.name = name;
        this.id = IDS.incrementAndGet();
    }

    /** A value that is not differentiated (data, targets, frozen weights). */
    public static Tensor constant(INDArray value) {
        return new Tensor(checkFloating("constant", value), null, false, null);
    }

    /** A watched leaf: derivatives with respect to it can be asked for. */
    public static Tensor variable(INDArray value) {
        return variable(value, null);
    }

    /** A watched leaf with a name used in error messages (e.g. a parameter name). */
    public static Tensor variable(INDArray value, String name) {
        return new Tensor(checkFloating("variable", value), null, true, name);
    }

    /** A rank-0 constant of the given dtype. */
    public static Tensor scalar(double v, DataType dtype) {
        return constant(Nd4j.scalar(dtype, v));
    }

    /**
     * Wraps the result of an op. Used by op implementations: the result is recorded (keeps a
     * reference to {@code op}) only if recording is on and some input is tracked.
     */
    public static Tensor of(Op op, INDArray value) {
        Objects.requireNonNull(op, "op");
        boolean track = false;
        if (GradMode.isRecording()) {
            for (Tensor in : op.inputs()) {
                if (in.tracked) {
                    track = true;
                    break;
                }
            }
        }
        return new Tensor(value, track ? op : null, track, null);
    }

    private static INDArray checkFloating(String what, INDArray value) {
        Objects.requireNonNull(value, what + ": array is null");
        DataType dt = value.dataType();
        if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
            throw new AutodiffException(what + ": unsupported dtype " + dt + " for an array of shape "
                    + Shapes.str(value.shape()) + "; JacFlux differentiates FLOAT (float32) and DOUBLE (float64)");
        }
        return value;
    }

    // ------------------------------------------------------------------ accessors

    /** The array. Do not mutate it. */
    public INDArray value() {
        return value;
    }

    /** The producing op, or {@code null} for leaves, constants and unrecorded results. */
    public Op op() {
        return op;
    }

    /** Whether derivatives flow through this value (a watched leaf or a recorded result). */
    public boolean isTracked() {
        return tracked;
    }

    /** Whether this is a watched leaf. */
    public boolean isLeaf() {
        return tracked && op == null;
    }

    /** A process-unique, increasing id (creation order). */
    public long id() {
        return id;
    }

    /** The name given to a variable, or {@code null}. */
    public String name() {
        return name;
    }

    /** The shape (a copy). */
    public long[] shape() {
        return value.shape().clone();
    }

    /** The size of one dimension (negative indexes count from the end). */
    public long size(int dim) {
        return value.size(Shapes.axis("size", dim, value.rank()));
    }

    /** The rank (number of dimensions). */
    public int rank() {
        return value.rank();
    }

    /** The number of elements. */
    public long numel() {
        return value.length();
    }

    /** FLOAT or DOUBLE. */
    public DataType dtype() {
        return value.dataType();
    }

    /** A constant with the same value (derivatives do not flow through it). */
    public Tensor detach() {
        return tracked ? new Tensor(value, null, false, null) : this;
    }

    /** A constant of the same dtype holding {@code v}. */
    public Tensor scalarLike(double v) {
        return scalar(v, dtype());
    }

    /** Adds two possibly-null (zero) tensors; {@code null} if both are null. */
    public static Tensor addNullable(Tensor a, Tensor b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.add(b);
    }

    @Override
    public String toString() {
        return "Tensor" + (name != null ? "(" + name + ")" : "") + Arrays.toString(shape()) + " " + dtype()
                + (op != null ? " <- " + op.name() : tracked ? " (variable)" : "");
    }

    // ------------------------------------------------------------------ arithmetic (numpy broadcasting)

    /** Elementwise {@code this + b} with broadcasting. */
    public Tensor add(Tensor b) {
        return Add.apply(this, b);
    }

    /** {@code this + c}. */
    public Tensor add(double c) {
        return Add.apply(this, scalarLike(c));
    }

    /** Elementwise {@code this - b} with broadcasting. */
    public Tensor sub(Tensor b) {
        return Sub.apply(this, b);
    }

    /** {@code this - c}. */
    public Tensor sub(double c) {
        return Sub.apply(this, scalarLike(c));
    }

    /** Elementwise {@code this * b} with broadcasting. */
    public Tensor mul(Tensor b) {
        return Mul.apply(this, b);
    }

    /** {@code this * c}. */
    public Tensor mul(double c) {
        return Mul.apply(this, scalarLike(c));
    }

    /** Elementwise {@code this / b} with broadcasting. */
    public Tensor div(Tensor b) {
        return Div.apply(this, b);
    }

    /** {@code this / c}. */
    public Tensor div(double c) {
        return Div.apply(this, scalarLike(c));
    }

    /** Elementwise {@code this ^ b} with broadcasting. */
    public Tensor pow(Tensor b) {
        return Pow.apply(this, b);
    }

    /** {@code this ^ p}. */
    public Tensor pow(double p) {
        return Pow.apply(this, scalarLike(p));
    }

    /** {@code this * this}. */
    public Tensor square() {
        return Mul.apply(this, this);
    }

    /** {@code -this}. */
    public Tensor neg() {
        return Neg.apply(this);
    }

    /** Matrix product; leading axes are batch axes and broadcast (see {@link MatMul}). */
    public Tensor matmul(Tensor b) {
        return MatMul.apply(this, b);
    }

    // ------------------------------------------------------------------ elementwise functions

    public Tensor exp() {
        return Exp.apply(this);
    }

    public Tensor log() {
        return Log.apply(this);
    }

    public Tensor sqrt() {
        return Sqrt.apply(this);
    }

    public Tensor abs() {
        return Abs.apply(this);
    }

    public Tensor tanh() {
        return Tanh.apply(this);
    }

    public Tensor sigmoid() {
        return Sigmoid.apply(this);
    }

    public Tensor relu() {
        return Relu.apply(this);
    }

    /** Leaky ReLU with the given negative slope (PyTorch's default is 0.01). */
    public Tensor leakyRelu(double negativeSlope) {
        return LeakyRelu.apply(this, negativeSlope);
    }

    /** ELU with the given alpha (PyTorch's default is 1.0). */
    public Tensor elu(double alpha) {
        return Elu.apply(this, alpha);
    }

    /** {@code log(1 + exp(x))}, computed stably. */
    public Tensor softplus() {
        return Softplus.apply(this);
    }

    /** GELU in its exact form {@code x * Phi(x)} with the Gaussian CDF via erf. */
    public Tensor gelu() {
        return Gelu.apply(this);
    }

    public Tensor erf() {
        return Erf.apply(this);
    }

    public Tensor sin() {
        return Sin.apply(this);
    }

    public Tensor cos() {
        return Cos.apply(this);
    }

    /** Softmax along {@code axis}. */
    public Tensor softmax(int axis) {
        return Softmax.apply(this, axis);
    }

    /** Log-softmax along {@code axis}. */
    public Tensor logSoftmax(int axis) {
        return LogSoftmax.apply(this, axis);
    }

    // ------------------------------------------------------------------ reductions and shapes

    /** Sum of all elements (a scalar). */
    public Tensor sum() {
        return Sum.apply(this, false);
    }

    /** Sum over the given axes, dropping them. */
    public Tensor sum(int... axes) {
        return Sum.apply(this, false, axes);
    }

    /** Sum over the given axes, keeping them as size 1 if {@code keepDims}. */
    public Tensor sum(boolean keepDims, int... axes) {
        return Sum.apply(this, keepDims, axes);
    }

    /** Mean of all elements. */
    public Tensor mean() {
        return Mean.apply(this, false);
    }

    /** Mean over the given axes, dropping them. */
    public Tensor mean(int... axes) {
        return Mean.apply(this, false, axes);
    }

    /** Mean over the given axes, keeping them as size 1 if {@code keepDims}. */
    public Tensor mean(boolean keepDims, int... axes) {
        return Mean.apply(this, keepDims, axes);
    }

    /** Reshape (row-major); one dimension may be -1. */
    public Tensor reshape(long... shape) {
        return Reshape.apply(this, shape);
    }

    /** Permutes the axes. */
    public Tensor permute(int... perm) {
        return Permute.apply(this, perm);
    }

    /** Swaps the last two axes. */
    public Tensor transpose() {
        int r = rank();
        if (r < 2) {
            throw new AutodiffException("transpose: needs rank >= 2, got shape " + Shapes.str(shape()));
        }
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return Permute.apply(this, perm);
    }

    /** Broadcasts (materialises) to a larger shape under numpy rules. */
    public Tensor broadcastTo(long... shape) {
        return BroadcastTo.apply(this, shape);
    }

    /** Sums down to a shape this tensor broadcasts from (the adjoint of {@link #broadcastTo}). */
    public Tensor sumTo(long... shape) {
        return SumTo.apply(this, shape);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code axis}. */
    public Tensor slice(int axis, long start, long end) {
        return Slice.apply(this, axis, start, end, 1);
    }

    /** Elements {@code start, start+step, ...} below {@code end} along {@code axis}. */
    public Tensor slice(int axis, long start, long end, long step) {
        return Slice.apply(this, axis, start, end, step);
    }

    /** Concatenates tensors along an axis. */
    public static Tensor concat(int axis, List<Tensor> parts) {
        return Concat.apply(axis, parts);
    }

    /** Stacks tensors of one shape along a new axis. */
    public static Tensor stack(int axis, List<Tensor> parts) {
        return Stack.apply(axis, parts);
    }
}
