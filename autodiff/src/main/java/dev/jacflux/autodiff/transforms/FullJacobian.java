package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.engine.Graph;
import dev.jacflux.autodiff.engine.TangentSweep;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The full Jacobian of {@code f: [*xs] -> [*ys]}, of shape {@code [*ys, *xs]}, as
 * {@code jax.jacrev}/{@code jax.jacfwd} compute it: reverse mode pulls back blocks of rows of the
 * identity over the output ({@code [K, *ys]} per pass), forward mode pushes blocks of columns of
 * the identity over the input ({@code [K, *xs]} per pass). {@link JacobianOptions.Mode#AUTO} picks
 * forward mode when the input has fewer elements than the output.
 *
 * <pre>{@code
 * Function<Tensor, Tensor> f = x -> w2.matmul(w1.matmul(x).add(b1).tanh()).add(b2);   // x [1000, 1]
 * INDArray jac = FullJacobian.of(f, JacobianOptions.DEFAULT.withChunkSize(250)).compute(x); // [1000, 1, 1000, 1]
 * }</pre>
 */
public final class FullJacobian {
    private final Function<Tensor, Tensor> f;
    private final JacobianOptions options;

    private FullJacobian(Function<Tensor, Tensor> f, JacobianOptions options) {
        this.f = f;
        this.options = options;
    }

    /** The full Jacobian of {@code f} with default options (automatic mode, all rows at once). */
    public static FullJacobian of(Function<Tensor, Tensor> f) {
        return new FullJacobian(f, JacobianOptions.DEFAULT);
    }

    /** The full Jacobian of {@code f} with the given options. */
    public static FullJacobian of(Function<Tensor, Tensor> f, JacobianOptions options) {
        return new FullJacobian(f, options);
    }

    /** Computes the Jacobian into a fresh array {@code [*ys, *xs]}. */
    public INDArray compute(INDArray x) {
        Job job = prepare(x);
        return job.runInto(job.allocateResult());
    }

    /** Computes the Jacobian into {@code out} (row-major {@code [*ys, *xs]}, the input's dtype). */
    public INDArray compute(INDArray x, INDArray out) {
        Job job = prepare(x);
        Layouts.requireResultBuffer("jacobian", out, job.resultShape(), job.dtype());
        return job.runInto(out);
    }

    /** Runs the forward pass and returns the staged job. */
    public Job prepare(INDArray x) {
        Tensor input = Tensor.variable(x, "x");
        Tensor output;
        try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
            output = f.apply(input);
        }
        return recorded(input, output, options);
    }

    /** The staged Jacobian of an already recorded {@code output} w.r.t. the watched {@code input}. */
    public static Job recorded(Tensor input, Tensor output, JacobianOptions options) {
        return new Job(input, output, options);
    }

    /** One Jacobian, staged: chunks are blocks of output rows (reverse) or input columns (forward). */
    public static final class Job implements StagedJob {
        private final Tensor input;
        private final Tensor output;
        private final boolean forward;
        private final long inSize;
        private final long outSize;
        private final List<RowChunk> chunks;

        private Job(Tensor input, Tensor output, JacobianOptions options) {
            if (!input.isLeaf()) {
                throw new AutodiffException("jacobian: the input must be a watched variable (Tensor.variable), got " + input);
            }
            if (output.dtype() != input.dtype()) {
                throw new AutodiffException("jacobian: output dtype " + output.dtype() + " differs from input dtype " + input.dtype());
            }
            this.input = input;
            this.output = output;
            this.inSize = input.numel();
            this.outSize = output.numel();
            if (inSize == 0 || outSize == 0) {
                throw new AutodiffException("jacobian: empty input " + Shapes.str(input.shape()) + " or output " + Shapes.str(output.shape()));
            }
            this.forward = switch (options.mode()) {
                case FORWARD -> true;
                case REVERSE -> false;
                case AUTO -> inSize < outSize;
            };
            long rows = forward ? inSize : outSize;
            this.chunks = ChunkPlanner.plan(rows, options.chunkSize(), options.memoryBudgetBytes(), bytesPerRow());
        }

        private long bytesPerRow() {
            long elements = 0;
            for (Tensor t : Graph.topologicalOrder(List.of(output))) {
                elements += t.numel();
            }
            return (2 * elements + (forward ? outSize : inSize)) * output.value().dataType().width();
        }

        /** Whether this job runs in forward mode. */
        public boolean forwardMode() {
            return forward;
        }

        @Override
        public String kind() {
            return "jacobian";
        }

        @Override
        public long samples() {
            return 1;
        }

        @Override
        public List<RowChunk> chunks() {
            return chunks;
        }

        @Override
        public long[] resultShape() {
            return Shapes.concat(output.shape(), input.shape());
        }

        @Override
        public DataType dtype() {
            return output.dtype();
        }

        /** Reverse: rows {@code [count, *xs]} of the Jacobian; forward: columns {@code [count, *ys]}. */
        @Override
        public ChunkRows compute(RowChunk chunk) {
            if (forward) {
                Tensor tangent = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[0], input.shape());
                Tensor ty = TangentSweep.pushforward(List.of(output), List.of(input), List.of(tangent), false).get(0);
                return new ChunkRows(chunk, full(ty, chunk.count(), output.shape()));
            }
            Tensor seed = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[0], output.shape());
            Tensor gx = Backprop.pullback(List.of(output), List.of(seed), List.of(input), Backprop.Options.DEFAULT).get(0);
            return new ChunkRows(chunk, full(gx, chunk.count(), input.shape()));
        }

        @Override
        public boolean writesDirectly() {
            return !forward;
        }

        /** Reverse mode: one pass whose rows are written into the result straight from the pass's scratch memory. */
        @Override
        public void computeInto(RowChunk chunk, INDArray result) {
            if (forward) {
                assemble(compute(chunk), result);
                return;
            }
            Tensor seed = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[0], output.shape());
            Backprop.pullbackInto(List.of(output), List.of(seed), List.of(input), Backprop.Options.DEFAULT,
                    gxs -> assemble(new ChunkRows(chunk, full(gxs.get(0), chunk.count(), input.shape())), result));
        }

        private INDArray full(Tensor t, long count, long[] shape) {
            long[] want = Shapes.concat(new long[] {count}, shape);
            if (t == null) {
                return Nd4j.zeros(dtype(), want);
            }
            return Arrays.equals(t.shape(), want) ? t.value() : t.value().broadcast(want);
        }

        @Override
        public void assemble(ChunkRows chunkRows, INDArray result) {
            RowChunk c = chunkRows.chunk();
            INDArray matrix = result.reshape('c', outSize, inSize);
            try (NativeThreads.Scope narrow = NativeThreads.narrow();
                    NativeThreads.Scope wide = NativeThreads.wideElementwise(c.count() * (forward ? outSize : inSize))) {
                write(chunkRows, c, matrix);
            }
        }

        private void write(ChunkRows chunkRows, RowChunk c, INDArray matrix) {
            if (forward) {
                matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(c.start(), c.end()))
                        .assign(chunkRows.rows().reshape('c', c.count(), outSize).transpose());
            } else {
                matrix.get(NDArrayIndex.interval(c.start(), c.end()), NDArrayIndex.all())
                        .assign(chunkRows.rows().reshape('c', c.count(), inSize));
            }
        }
    }
}
