package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Per-sample gradient norms {@code [N]}: the Euclidean norm of each row of the per-sample gradient
 * matrix, computed chunk by chunk from the per-parameter blocks so that the {@code N x M} matrix is
 * never held at once.
 *
 * <pre>{@code
 * INDArray norms = PerSampleGradientNorms.of(loss).compute(x, labels, params, names);   // [N]
 * }</pre>
 */
public final class PerSampleGradientNorms {
    private final PerSampleFunction loss;
    private final PerSampleOptions options;

    private PerSampleGradientNorms(PerSampleFunction loss, PerSampleOptions options) {
        this.loss = loss;
        this.options = options;
    }

    /** Norms of the per-sample gradients of a per-sample loss. */
    public static PerSampleGradientNorms of(PerSampleFunction loss) {
        return new PerSampleGradientNorms(loss, PerSampleOptions.DEFAULT);
    }

    /** With chunking options. */
    public static PerSampleGradientNorms of(PerSampleFunction loss, PerSampleOptions options) {
        return new PerSampleGradientNorms(loss, options);
    }

    /** Computes the {@code [N]} norms. */
    public INDArray compute(INDArray x, INDArray targets, List<INDArray> params, List<String> names) {
        Job job = new Job(new PerSamplePass("per-sample gradient norms", loss, x, targets, params, names), options, false);
        return job.runInto(job.allocateResult());
    }

    /** Validates and plans. */
    public Job prepare(INDArray x, INDArray targets, List<INDArray> params, List<String> names) {
        return new Job(new PerSamplePass("per-sample gradient norms", loss, x, targets, params, names), options, true);
    }

    /** One batch's per-sample gradient norms, staged in chunks of samples. */
    public static final class Job extends PerSampleJob {
        private Job(PerSamplePass pass, PerSampleOptions options, boolean recordFirst) {
            super(pass, options, 1, recordFirst);
        }

        @Override
        public String kind() {
            return "per-sample-gradient-norms";
        }

        /** The norms of this chunk's samples, {@code [n]}. */
        @Override
        public ChunkRows compute(RowChunk chunk) {
            PerSamplePass.Recorded r = pass.recordOnce(chunk);
            Tensor out = r.output();
            if (out.numel() != chunk.count()) {
                throw new AutodiffException("per-sample gradient norms: the loss must give one value per sample ([n]), got "
                        + Shapes.str(out.shape()) + " for " + chunk.count() + " samples");
            }
            long[] seedShape = new long[out.rank() + 1];
            java.util.Arrays.fill(seedShape, 1);
            List<INDArray> blocks = r.pullPerSample(Tensor.constant(Nd4j.ones(out.dtype(), seedShape)), 1);
            INDArray squares = Nd4j.zeros(pass.dtype(), chunk.count());
            for (INDArray b : blocks) {
                INDArray flat = b.reshape('c', chunk.count(), b.length() / chunk.count());
                squares.addi(flat.mul(flat).sum(1));
            }
            return new ChunkRows(chunk, Transforms.sqrt(squares, false));
        }

        @Override
        public void assemble(ChunkRows rows, INDArray result) {
            RowChunk c = rows.chunk();
            result.get(NDArrayIndex.interval(c.start(), c.end())).assign(rows.rows());
        }

        @Override
        public long[] resultShape() {
            return new long[] {pass.samples()};
        }

        /** The per-sample matrix that the norms are taken of. */
        @Override
        public long work() {
            return pass.samples() * pass.layout().size();
        }
    }
}
