package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The per-sample parameter Jacobian {@code [N, D_y, M]}: each sample's {@code D_y} outputs with
 * respect to all {@code M} parameters (the building block of Gauss-Newton and NTK matrices). One
 * reverse pass per chunk of samples carries all {@code D_y} rows at once ({@code [D_y, 1, *out]}
 * identity seed) in per-sample mode.
 *
 * <pre>{@code
 * PerSampleFunction model = (x, y, p) -> x.matmul(p.get(0)).tanh().matmul(p.get(1));
 * INDArray jac = PerSampleJacobian.of(model).compute(x, List.of(w1, w2), List.of("w1", "w2"));  // [N, D_y, M]
 * }</pre>
 */
public final class PerSampleJacobian {
    private final PerSampleFunction f;
    private final PerSampleOptions options;

    private PerSampleJacobian(PerSampleFunction f, PerSampleOptions options) {
        this.f = f;
        this.options = options;
    }

    /** The per-sample parameter Jacobian of {@code f}. */
    public static PerSampleJacobian of(PerSampleFunction f) {
        return new PerSampleJacobian(f, PerSampleOptions.DEFAULT);
    }

    /** With chunking options. */
    public static PerSampleJacobian of(PerSampleFunction f, PerSampleOptions options) {
        return new PerSampleJacobian(f, options);
    }

    /** Computes {@code [N, D_y, M]} into a fresh array (no targets are passed to {@code f}). */
    public INDArray compute(INDArray x, List<INDArray> params, List<String> names) {
        Job job = prepare(x, null, params, names);
        return job.runInto(job.allocateResult());
    }

    /** Validates and plans; {@code targets} may be null. */
    public Job prepare(INDArray x, INDArray targets, List<INDArray> params, List<String> names) {
        PerSamplePass pass = new PerSamplePass("per-sample parameter jacobian", f, x, targets, params, names);
        return new Job(pass, options, Job.probeOutShape(pass));
    }

    /** One batch's per-sample parameter Jacobian, staged in chunks of samples. */
    public static final class Job extends PerSampleJob {
        private final long[] outShape;
        private final long rows;

        private Job(PerSamplePass pass, PerSampleOptions options, long[] outShape) {
            super(pass, options, Shapes.numel(outShape));
            this.outShape = outShape;
            this.rows = Shapes.numel(outShape);
        }

        /** The per-sample output shape of a one-sample probe of {@code pass}. */
        private static long[] probeOutShape(PerSamplePass pass) {
            Tensor probe = pass.record(new RowChunk(0, 0, 1)).output();
            return Shapes.range(probe.shape(), 1, probe.rank());
        }

        @Override
        public String kind() {
            return "per-sample-parameter-jacobian";
        }

        /** One block per parameter, {@code [D_y, n, *shape]}. */
        @Override
        public ChunkRows compute(RowChunk chunk) {
            PerSamplePass.Recorded r = pass.recordOnce(chunk);
            Tensor seed = Seeds.identityRows(dtype(), 0, rows, new long[] {1}, outShape);
            return new ChunkRows(chunk, r.pullPerSample(seed, (int) rows));
        }

        @Override
        public void assemble(ChunkRows chunkRows, INDArray result) {
            RowChunk c = chunkRows.chunk();
            ParameterLayout layout = pass.layout();
            for (int i = 0; i < layout.count(); i++) {
                INDArray slot = result.get(NDArrayIndex.interval(c.start(), c.end()), NDArrayIndex.all(),
                        NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i)));
                slot.assign(chunkRows.blocks().get(i).reshape('c', rows, c.count(), layout.numel(i)).permute(1, 0, 2));
            }
        }

        @Override
        public long[] resultShape() {
            return new long[] {pass.samples(), rows, pass.layout().size()};
        }
    }
}
