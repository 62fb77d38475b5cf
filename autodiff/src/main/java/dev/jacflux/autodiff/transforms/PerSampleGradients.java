package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-sample gradients: for a per-sample loss {@code L(x[b], θ)} the {@code [N, M]} matrix whose
 * row {@code b} is {@code dL_b/dθ}, for all {@code M} parameters at once, in one reverse pass per
 * chunk of samples (not one pass per sample). In the engine's per-sample mode the parameter
 * cotangents keep the sample axis; a dense layer gives {@code x[b]^T g[b]} for every sample as one
 * broadcast outer product.
 *
 * <pre>{@code
 * PerSampleFunction loss = (x, y, p) -> CrossEntropy.apply(x.matmul(p.get(0).transpose()).add(p.get(1)), y);
 * PerSampleResult g = PerSampleGradients.of(loss).compute(x, labels, List.of(w, b), List.of("fc.weight", "fc.bias"));
 * g.matrix();   // [N, 7850]
 * }</pre>
 */
public final class PerSampleGradients {
    private final PerSampleFunction loss;
    private final PerSampleOptions options;

    private PerSampleGradients(PerSampleFunction loss, PerSampleOptions options) {
        this.loss = loss;
        this.options = options;
    }

    /** Per-sample gradients of a per-sample loss ({@code [n]} from {@code n} samples). */
    public static PerSampleGradients of(PerSampleFunction loss) {
        return new PerSampleGradients(loss, PerSampleOptions.DEFAULT);
    }

    /** With chunking options. */
    public static PerSampleGradients of(PerSampleFunction loss, PerSampleOptions options) {
        return new PerSampleGradients(loss, options);
    }

    /** Computes the {@code [N, M]} matrix into a fresh array. */
    public PerSampleResult compute(INDArray x, INDArray targets, List<INDArray> params, List<String> names) {
        Job job = new Job(new PerSamplePass("per-sample gradients", loss, x, targets, params, names), options, false);
        return new PerSampleResult(job.runInto(job.allocateResult()), job.layout());
    }

    /** Computes the {@code [N, M]} matrix into {@code out} (row-major {@code [N, M]}, the input's dtype). */
    public PerSampleResult compute(INDArray x, INDArray targets, List<INDArray> params, List<String> names, INDArray out) {
        Job job = new Job(new PerSamplePass("per-sample gradients", loss, x, targets, params, names), options, false);
        Layouts.requireResultBuffer("per-sample gradients", out, job.resultShape(), job.dtype());
        return new PerSampleResult(job.runInto(out), job.layout());
    }

    /** Validates the batch and plans chunks of samples. */
    public Job prepare(INDArray x, INDArray targets, List<INDArray> params, List<String> names) {
        return new Job(new PerSamplePass("per-sample gradients", loss, x, targets, params, names), options, true);
    }

    /** One batch's per-sample gradients, staged in chunks of samples. */
    public static final class Job extends PerSampleJob {
        private Job(PerSamplePass pass, PerSampleOptions options, boolean recordFirst) {
            super(pass, options, 1, recordFirst);
        }

        @Override
        public String kind() {
            return "per-sample-gradients";
        }

        /** One block per parameter, {@code [1, n, *shape]}. */
        @Override
        public ChunkRows compute(RowChunk chunk) {
            PerSamplePass.Recorded r = pass.recordOnce(chunk);
            return new ChunkRows(chunk, r.pullPerSample(seedFor(r.output(), chunk), 1));
        }

        @Override
        public boolean writesDirectly() {
            return true;
        }

        /**
         * Pulls back with each parameter's slot of {@code result} offered as the destination of its
         * per-sample cotangent, so that layers that can (dense layers) write their per-sample outer
         * products straight into the {@code N x M} matrix; the rest are copied.
         */
        @Override
        public void computeInto(RowChunk chunk, INDArray result) {
            PerSamplePass.Recorded r = pass.recordOnce(chunk);
            Tensor seed = seedFor(r.output(), chunk);
            ParameterLayout layout = pass.layout();
            java.util.Map<Integer, INDArray> dest = new java.util.HashMap<>();
            INDArray[] slots = new INDArray[layout.count()];
            for (int i = 0; i < layout.count(); i++) {
                slots[i] = result.get(NDArrayIndex.interval(chunk.start(), chunk.end()),
                        NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i)));
                INDArray view = slots[i].reshape('c', Shapes.concat(new long[] {1, chunk.count()}, layout.shapes().get(i)));
                if (view.data().address() == result.data().address()) {
                    dest.put(i, view);
                }
            }
            List<INDArray> blocks = r.pullPerSample(seed, 1, dest);
            for (int i = 0; i < layout.count(); i++) {
                if (blocks.get(i) != dest.get(i)) {
                    slots[i].assign(blocks.get(i).reshape('c', chunk.count(), layout.numel(i)));
                }
            }
        }

        private Tensor seedFor(Tensor out, RowChunk chunk) {
            if (out.numel() != chunk.count()) {
                throw new AutodiffException("per-sample gradients: the loss must give one value per sample ([n]), got "
                        + Shapes.str(out.shape()) + " for " + chunk.count() + " samples; use PerSampleJacobian for vector outputs");
            }
            long[] seedShape = new long[out.rank() + 1];
            java.util.Arrays.fill(seedShape, 1);
            return Tensor.constant(Nd4j.ones(out.dtype(), seedShape));
        }

        @Override
        public void assemble(ChunkRows rows, INDArray result) {
            RowChunk c = rows.chunk();
            ParameterLayout layout = pass.layout();
            for (int i = 0; i < layout.count(); i++) {
                INDArray slot = result.get(NDArrayIndex.interval(c.start(), c.end()),
                        NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i)));
                slot.assign(rows.blocks().get(i).reshape('c', c.count(), layout.numel(i)));
            }
        }

        @Override
        public long[] resultShape() {
            return new long[] {pass.samples(), pass.layout().size()};
        }
    }
}
