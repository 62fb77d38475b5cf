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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Hessian and Hessian-vector product of a scalar function {@code s: [*xs] -> []}. The gradient is
 * computed once with its pullback recorded; then blocks of rows of the identity go through that
 * recorded gradient ({@code K} Hessian rows per pass), either pulled back (reverse over reverse,
 * {@link JacobianOptions.Mode#REVERSE}) or pushed forward as a batch of Hessian-vector products
 * (forward over reverse, {@link JacobianOptions.Mode#FORWARD}). Both give the same symmetric matrix
 * with the same three large GEMMs on the benchmark's two-layer net and measured equal within noise
 * (47-65 against 49-51 ms on one thread); {@code AUTO} picks reverse over reverse.
 *
 * <pre>{@code
 * Function<Tensor, Tensor> s = x -> f.apply(x).exp().sum().log();     // logsumexp, scalar
 * INDArray h = Hessian.of(s).compute(x);                              // [1000, 1000] for x [1000]
 * INDArray hv = Hessian.of(s).hvp(x, v);                              // [1000]
 * }</pre>
 */
public final class Hessian {
    private final Function<Tensor, Tensor> f;
    private final JacobianOptions options;

    private Hessian(Function<Tensor, Tensor> f, JacobianOptions options) {
        this.f = f;
        this.options = options;
    }

    /** The Hessian of the scalar function {@code f}, all rows in one pass. */
    public static Hessian of(Function<Tensor, Tensor> f) {
        return new Hessian(f, JacobianOptions.DEFAULT);
    }

    /** The Hessian of {@code f} with a chunk size or memory budget, and the mode (see the class comment). */
    public static Hessian of(Function<Tensor, Tensor> f, JacobianOptions options) {
        return new Hessian(f, options);
    }

    /** The Hessian {@code [*xs, *xs]} as a fresh array. */
    public INDArray compute(INDArray x) {
        Job job = prepare(x);
        return job.runInto(job.allocateResult());
    }

    /** The Hessian-vector product {@code H v}, shaped like {@code x}. */
    public INDArray hvp(INDArray x, INDArray v) {
        if (!Arrays.equals(x.shape(), v.shape())) {
            throw new AutodiffException("hvp: vector shape " + Shapes.str(v.shape()) + " differs from input shape " + Shapes.str(x.shape()));
        }
        Job job = prepare(x);
        if (job.gradient == null) {
            return Nd4j.zeros(x.dataType(), x.shape());
        }
        Tensor seed = Tensor.constant(v.castTo(x.dataType()).reshape('c', job.gradient.shape()));
        Tensor hv = Backprop.pullback(List.of(job.gradient), List.of(seed), List.of(job.input), Backprop.Options.DEFAULT).get(0);
        if (hv == null) {
            return Nd4j.zeros(x.dataType(), x.shape());
        }
        return hv.value().broadcast(x.shape()).dup('c');
    }

    /** Records the forward pass and the differentiable gradient, and returns the staged Hessian. */
    public Job prepare(INDArray x) {
        return new Job(x, f, options);
    }

    /** One Hessian, staged: chunks are blocks of Hessian rows. */
    public static final class Job implements StagedJob {
        private final Tensor input;
        private final Tensor gradient;
        private final long size;
        private final List<RowChunk> chunks;
        private final boolean forward;

        private Job(INDArray x, Function<Tensor, Tensor> f, JacobianOptions options) {
            this.input = Tensor.variable(x, "x");
            Tensor s;
            try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
                s = f.apply(input);
            }
            if (s.numel() != 1) {
                throw new AutodiffException("hessian: the function must return a scalar, got shape " + Shapes.str(s.shape()));
            }
            Tensor seed = Tensor.constant(Nd4j.ones(s.dtype(), Shapes.concat(new long[] {1}, s.shape())));
            Tensor g = Backprop.pullback(List.of(s), List.of(seed), List.of(input), Backprop.Options.secondOrder()).get(0);
            long[] gShape = Shapes.concat(new long[] {1}, x.shape());
            if (g != null && !Arrays.equals(g.shape(), gShape)) {
                try (GradMode.Scope ignored = GradMode.set(true)) {
                    g = g.broadcastTo(gShape);
                }
            }
            this.gradient = g != null && g.isTracked() ? g : null;
            this.size = x.length();
            if (size == 0) {
                throw new AutodiffException("hessian: empty input " + Shapes.str(x.shape()));
            }
            this.chunks = ChunkPlanner.plan(size, options.chunkSize(), options.memoryBudgetBytes(), 4 * size * x.dataType().width());
            this.forward = options.mode() == JacobianOptions.Mode.FORWARD;
        }

        /** Whether Hessian rows are computed forward over reverse (else reverse over reverse). */
        public boolean forwardOverReverse() {
            return forward;
        }

        @Override
        public String kind() {
            return "hessian";
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
            return Shapes.concat(input.shape(), input.shape());
        }

        @Override
        public DataType dtype() {
            return input.dtype();
        }

        /** Rows {@code [count, *xs]} of the Hessian. */
        @Override
        public ChunkRows compute(RowChunk chunk) {
            long[] want = Shapes.concat(new long[] {chunk.count()}, input.shape());
            if (gradient == null) {
                return new ChunkRows(chunk, Nd4j.zeros(dtype(), want));
            }
            if (forward) {
                // H e_k for the chunk's k: the tangents of the recorded gradient (the Hessian is symmetric)
                Tensor tangent = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[0], input.shape());
                Tensor t = TangentSweep.pushforward(List.of(gradient), List.of(input), List.of(tangent), false).get(0);
                INDArray v = t == null ? Nd4j.zeros(dtype(), want)
                        : t.value().broadcast(Shapes.concat(new long[] {chunk.count()}, gradient.shape())).reshape('c', want);
                return new ChunkRows(chunk, v);
            }
            Tensor seed = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[] {1}, input.shape());
            Tensor rows = Backprop.pullback(List.of(gradient), List.of(seed), List.of(input), Backprop.Options.DEFAULT).get(0);
            INDArray r = rows == null ? Nd4j.zeros(dtype(), want)
                    : Arrays.equals(rows.shape(), want) ? rows.value() : rows.value().broadcast(want);
            return new ChunkRows(chunk, r);
        }

        @Override
        public boolean writesDirectly() {
            return true;
        }

        /** One pass of Hessian rows written into the result straight from the pass's scratch memory. */
        @Override
        public void computeInto(RowChunk chunk, INDArray result) {
            if (gradient == null || forward) {
                assemble(compute(chunk), result);
                return;
            }
            long[] want = Shapes.concat(new long[] {chunk.count()}, input.shape());
            Tensor seed = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[] {1}, input.shape());
            Backprop.pullbackInto(List.of(gradient), List.of(seed), List.of(input), Backprop.Options.DEFAULT, rows -> {
                Tensor r = rows.get(0);
                INDArray v = r == null ? Nd4j.zeros(dtype(), want) : Arrays.equals(r.shape(), want) ? r.value() : r.value().broadcast(want);
                assemble(new ChunkRows(chunk, v), result);
            });
        }

        @Override
        public void assemble(ChunkRows rows, INDArray result) {
            RowChunk c = rows.chunk();
            try (NativeThreads.Scope narrow = NativeThreads.narrow(); NativeThreads.Scope wide = NativeThreads.wideElementwise(c.count() * size)) {
                result.reshape('c', size, size).get(NDArrayIndex.interval(c.start(), c.end()), NDArrayIndex.all())
                        .assign(rows.rows().reshape('c', c.count(), size));
            }
        }
    }
}
