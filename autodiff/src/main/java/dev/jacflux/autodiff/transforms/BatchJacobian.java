package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.NativeThreads;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.engine.Backprop;
import dev.jacflux.autodiff.engine.Graph;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The batch Jacobian of {@code f: [B, *in] -> [B, *out]}: {@code J[b] = d f(x)[b] / d x[b]}, of
 * shape {@code [B, *out, *in]} (TensorFlow's {@code GradientTape.batch_jacobian}).
 *
 * <p>It assumes, as {@code batch_jacobian} does, that sample {@code b}'s output depends only on
 * sample {@code b}'s input. Then the cotangent {@code e_k}, repeated over the batch, pulled back
 * once gives row {@code k} of every sample's Jacobian; a chunk of {@code K} rows is one reverse
 * pass with a cotangent {@code [K, 1, *out]} (the size-1 axis means "the same for every sample",
 * so linear layers near the output work on {@code K} rows, not {@code K * B}). Each chunk is
 * written straight into its slot of the result, so no permuting copy of the whole result is made.
 * With {@link JacobianOptions#checkIndependence()} on, the function is first probed with one
 * random cotangent per sample, and a function that mixes samples (batch statistics, products over
 * the batch) is refused with an {@link AutodiffException} instead of returning wrong blocks.
 *
 * <pre>{@code
 * INDArray x = Nd4j.rand(DataType.FLOAT, 64, 512);
 * Tensor w1 = Tensor.constant(Nd4j.rand(DataType.FLOAT, 512, 512));
 * Tensor w2 = Tensor.constant(Nd4j.rand(DataType.FLOAT, 512, 32));
 * INDArray jac = BatchJacobian.of(v -> v.matmul(w1).tanh().matmul(w2)).compute(x);   // [64, 32, 512]
 * }</pre>
 */
public final class BatchJacobian {
    private static final long PROBE_SEED = 0x5eed_ba7c_4L;

    private final Function<Tensor, Tensor> f;
    private final JacobianOptions options;

    private BatchJacobian(Function<Tensor, Tensor> f, JacobianOptions options) {
        this.f = f;
        this.options = options;
    }

    /** The batch Jacobian of {@code f} with default options (all rows in one pass). */
    public static BatchJacobian of(Function<Tensor, Tensor> f) {
        return new BatchJacobian(f, JacobianOptions.DEFAULT);
    }

    /** The batch Jacobian of {@code f} with the given options. */
    public static BatchJacobian of(Function<Tensor, Tensor> f, JacobianOptions options) {
        return new BatchJacobian(f, options);
    }

    /** The same transform with other options. */
    public BatchJacobian with(JacobianOptions newOptions) {
        return new BatchJacobian(f, newOptions);
    }

    /** Computes the batch Jacobian into a fresh array {@code [B, *out, *in]}. */
    public INDArray compute(INDArray x) {
        Job job = prepare(x);
        return job.runInto(job.allocateResult());
    }

    /**
     * Computes the batch Jacobian into {@code out} (row-major, {@code [B, *out, *in]} or flattened
     * {@code [B, numel(out), numel(in)]}, the input's dtype), reusing the caller's buffer instead of
     * allocating a large result.
     */
    public INDArray compute(INDArray x, INDArray out) {
        Job job = prepare(x);
        long[] flat = {job.batch, job.outSize, job.inSize};
        Layouts.requireResultBuffer("batch jacobian", out, java.util.Arrays.equals(out.shape(), flat) ? flat : job.resultShape(), job.dtype());
        return job.runInto(out);
    }

    /** Runs the forward pass (and the independence check if enabled) and returns the staged job. */
    public Job prepare(INDArray x) {
        if (x.rank() < 1 || x.size(0) == 0) {
            throw new AutodiffException("batch jacobian: empty batch: input shape " + Shapes.str(x.shape())
                    + "; expected [B, *in] with B >= 1");
        }
        Tensor input = Tensor.variable(x, "x");
        Tensor output;
        try (GradMode.Scope ignored = GradMode.set(true); NativeThreads.Scope narrow = NativeThreads.narrow()) {
            output = f.apply(input);
        }
        return recorded(input, output, options);
    }

    /**
     * The staged batch Jacobian of an already recorded {@code output} with respect to the watched
     * {@code input} (see {@link Tape}).
     */
    public static Job recorded(Tensor input, Tensor output, JacobianOptions options) {
        Job job = new Job(input, output, options);
        if (options.checkIndependence()) {
            job.checkIndependence();
        }
        return job;
    }

    /** One batch's batch Jacobian, staged for chunked and parallel computation. */
    public static final class Job implements StagedJob {
        private final Tensor input;
        private final Tensor output;
        private final long batch;
        private final long[] inShape;
        private final long[] outShape;
        private final long inSize;
        private final long outSize;
        private final List<RowChunk> chunks;

        private Job(Tensor input, Tensor output, JacobianOptions options) {
            if (!input.isLeaf()) {
                throw new AutodiffException("batch jacobian: the input must be a watched variable (Tensor.variable), got " + input);
            }
            INDArray x = input.value();
            if (x.rank() < 1 || x.size(0) == 0) {
                throw new AutodiffException("batch jacobian: empty batch: input shape " + Shapes.str(x.shape())
                        + "; expected [B, *in] with B >= 1");
            }
            this.input = input;
            this.output = output;
            this.batch = x.size(0);
            long[] ys = output.shape();
            if (ys.length < 1 || ys[0] != batch) {
                throw new AutodiffException("batch jacobian: the function maps input " + Shapes.str(x.shape()) + " to "
                        + Shapes.str(ys) + ", which does not keep the batch axis (size " + batch + ") first");
            }
            if (output.dtype() != x.dataType()) {
                throw new AutodiffException("batch jacobian: output dtype " + output.dtype() + " differs from input dtype " + x.dataType());
            }
            this.inShape = Shapes.range(x.shape(), 1, x.rank());
            this.outShape = Shapes.range(ys, 1, ys.length);
            this.inSize = Shapes.numel(inShape);
            this.outSize = Shapes.numel(outShape);
            if (outSize == 0 || inSize == 0) {
                throw new AutodiffException("batch jacobian: empty per-sample input " + Shapes.str(inShape) + " or output " + Shapes.str(outShape));
            }
            this.chunks = ChunkPlanner.plan(outSize, options.chunkSize(), options.memoryBudgetBytes(), bytesPerRow());
        }

        /** Estimated working memory of one row: a cotangent over every recorded value, plus the result slot. */
        private long bytesPerRow() {
            long elements = 0;
            for (Tensor t : Graph.topologicalOrder(List.of(output))) {
                elements += t.numel();
            }
            return (2 * elements + batch * inSize) * output.value().dataType().width();
        }

        @Override
        public String kind() {
            return "batch-jacobian";
        }

        @Override
        public long samples() {
            return batch;
        }

        /** The recorded output {@code f(x)}. */
        public Tensor output() {
            return output;
        }

        @Override
        public List<RowChunk> chunks() {
            return chunks;
        }

        @Override
        public long[] resultShape() {
            return Shapes.concat(Shapes.concat(new long[] {batch}, outShape), inShape);
        }

        @Override
        public DataType dtype() {
            return output.dtype();
        }

        /**
         * Rows {@code [count, 1 or B, *in]}: row {@code k} of every sample's Jacobian (size 1 on the
         * sample axis when it is the same for every sample).
         */
        @Override
        public ChunkRows compute(RowChunk chunk) {
            Tensor seed = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[] {1}, outShape);
            Tensor gx = Backprop.pullback(List.of(output), List.of(seed), List.of(input), Backprop.Options.DEFAULT).get(0);
            INDArray rows = gx == null ? Nd4j.zeros(dtype(), Shapes.concat(new long[] {chunk.count(), 1}, inShape)) : gx.value();
            return new ChunkRows(chunk, rows);
        }

        @Override
        public boolean writesDirectly() {
            return true;
        }

        /** One reverse pass whose rows are written into the result straight from the pass's scratch memory. */
        @Override
        public void computeInto(RowChunk chunk, INDArray result) {
            Tensor seed = Seeds.identityRows(dtype(), chunk.start(), chunk.count(), new long[] {1}, outShape);
            Backprop.pullbackInto(List.of(output), List.of(seed), List.of(input), Backprop.Options.DEFAULT, gxs -> {
                Tensor gx = gxs.get(0);
                INDArray rows = gx == null ? Nd4j.zeros(dtype(), Shapes.concat(new long[] {chunk.count(), 1}, inShape)) : gx.value();
                assemble(new ChunkRows(chunk, rows), result);
            });
        }

        @Override
        public void assemble(ChunkRows chunkRows, INDArray result) {
            RowChunk c = chunkRows.chunk();
            INDArray rows = chunkRows.rows();
            long rowBatch = rows.size(1);
            long[] full = Shapes.concat(new long[] {c.count(), rowBatch}, inShape);
            if (!java.util.Arrays.equals(rows.shape(), full)) {
                rows = rows.broadcast(full);
            }
            try (NativeThreads.Scope narrow = NativeThreads.narrow();
                    NativeThreads.Scope wide = NativeThreads.wideElementwise(batch * c.count() * inSize)) {
                write(rows, rowBatch, c, result);
            }
        }

        private void write(INDArray rows, long rowBatch, RowChunk c, INDArray result) {
            if (rowBatch == 1) {
                // the same rows for every sample: in each sample's row of the result they fill one contiguous
                // span, so a 2-D row-vector broadcast writes them (measured 2-2.5x faster than the 3-D broadcast)
                INDArray spans = result.reshape('c', batch, outSize * inSize)
                        .get(NDArrayIndex.all(), NDArrayIndex.interval(c.start() * inSize, c.end() * inSize));
                Broadcast.copy(spans, rows.reshape('c', 1, c.count() * inSize), spans, 1);
            } else {
                INDArray slot = result.reshape('c', batch, outSize, inSize)
                        .get(NDArrayIndex.all(), NDArrayIndex.interval(c.start(), c.end()), NDArrayIndex.all());
                slot.assign(rows.reshape('c', c.count(), batch, inSize).permute(1, 0, 2));
            }
        }

        /**
         * Probes every sample with a random cotangent on its own output only: any non-zero
         * cotangent on another sample's input means the function mixes samples.
         */
        void checkIndependence() {
            Random rnd = new Random(PROBE_SEED);
            for (RowChunk probe : ChunkPlanner.plan(batch, chunks.get(0).count(), 0, 0)) {
                long p = probe.count();
                double[] data = new double[Math.toIntExact(p * batch * outSize)];
                for (long j = 0; j < p; j++) {
                    long base = (j * batch + probe.start() + j) * outSize;
                    for (long e = 0; e < outSize; e++) {
                        data[(int) (base + e)] = rnd.nextGaussian();
                    }
                }
                INDArray seed = Nd4j.create(data, Shapes.concat(new long[] {p, batch}, outShape), DataType.DOUBLE).castTo(dtype());
                Tensor gx = Backprop.pullback(List.of(output), List.of(Tensor.constant(seed)), List.of(input),
                        Backprop.Options.DEFAULT).get(0);
                if (gx == null) {
                    continue;
                }
                INDArray g = gx.value().broadcast(Shapes.concat(new long[] {p, batch}, inShape)).reshape('c', p, batch, inSize);
                INDArray leaks = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce.same.AMax(g, 2))
                        .castTo(DataType.DOUBLE);
                for (long j = 0; j < p; j++) {
                    long own = probe.start() + j;
                    for (long b = 0; b < batch; b++) {
                        double leak = leaks.getDouble(j, b);
                        if (b != own && leak > 0) {
                            throw new AutodiffException("batch jacobian: output of sample " + own + " depends on the input of sample " + b
                                    + " (cotangent magnitude " + leak + "): the function mixes samples (batch statistics, products or"
                                    + " reductions over the batch axis), so a batch Jacobian would drop those terms; compute the full"
                                    + " Jacobian instead, or make the function act on each sample separately");
                        }
                    }
                }
            }
        }
    }
}
